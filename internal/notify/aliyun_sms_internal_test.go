package notify

import "testing"

// TestAliyunSignatureMatchesThePublishedExamples: the SMS documentation's SendSms example and the
// RPC signature documentation's DescribeRegions example, with their published signatures.
func TestAliyunSignatureMatchesThePublishedExamples(t *testing.T) {
	sms := map[string]string{"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
		"PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
		"SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": `{"customer":"test"}`,
		"Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
	if got := aliyunSignature(sms, "testSecret"); got != "zJDF+Lrzhj/ThnlvIToysFRq6t4=" {
		t.Errorf("SendSms example signed %q", got)
	}
	regions := map[string]string{"Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
		"SignatureVersion": "1.0", "Version": "2014-05-26", "Timestamp": "2016-02-23T12:46:24Z"}
	if got := aliyunSignature(regions, "testsecret"); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Errorf("DescribeRegions example signed %q", got)
	}
	for in, want := range map[string]string{"a b": "a%20b", "*": "%2A", "~-_.": "~-_.", "/=&+": "%2F%3D%26%2B", "派": "%E6%B4%BE"} {
		if got := aliyunEncode(in); got != want {
			t.Errorf("encode %q = %q, want %q", in, got, want)
		}
	}
}
