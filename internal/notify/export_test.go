package notify

// AliyunSignatureForTest lets the stand-in provider of the tests check signatures.
var AliyunSignatureForTest = aliyunSignature
