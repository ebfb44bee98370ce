package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// AliyunSMS sends notices as text messages through Alibaba Cloud's SMS service (短信服务, the
// dysmsapi SendSms action), signed with the RPC signature (HMAC-SHA1 over the sorted, percent-encoded
// query, version 1.0) as the provider documents it. A text message must use a template the provider
// has approved: the template's ${title} receives the notice's one line.
type AliyunSMS struct {
	Endpoint        string // default https://dysmsapi.aliyuncs.com/
	AccessKeyID     string
	AccessKeySecret string
	SignName        string // the approved signature, e.g. 龙岩市新罗区城管
	TemplateCode    string // the approved template, e.g. SMS_123456789
	Client          *http.Client
	now             func() time.Time
	nonce           func() string
}

// Name is the channel's name in the schema.
func (AliyunSMS) Name() string { return "sms" }

// Send delivers one message; a refusal the provider names (a bad number, template or signature) is
// Permanent, throttling and server errors are retried.
func (c AliyunSMS) Send(ctx context.Context, m Message) error {
	endpoint := c.Endpoint
	if endpoint == "" {
		endpoint = "https://dysmsapi.aliyuncs.com/"
	}
	now, nonce := c.now, c.nonce
	if now == nil {
		now = time.Now
	}
	if nonce == nil {
		nonce = randomNonce
	}
	title, err := json.Marshal(map[string]string{"title": m.Subject})
	if err != nil {
		return &Permanent{err}
	}
	params := map[string]string{
		"AccessKeyId": c.AccessKeyID, "Action": "SendSms", "Format": "JSON", "OutId": m.ID,
		"PhoneNumbers": m.To, "RegionId": "cn-hangzhou", "SignName": c.SignName,
		"SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce(), "SignatureVersion": "1.0",
		"TemplateCode": c.TemplateCode, "TemplateParam": string(title),
		"Timestamp": now().UTC().Format("2006-01-02T15:04:05Z"), "Version": "2017-05-25",
	}
	query := "Signature=" + aliyunEncode(aliyunSignature(params, c.AccessKeySecret)) + "&" + aliyunCanonical(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+query, nil)
	if err != nil {
		return &Permanent{err}
	}
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if err != nil {
		return err
	}
	var answer struct{ Code, Message, BizId, RequestId string }
	if err := json.Unmarshal(body, &answer); err != nil {
		if res.StatusCode >= 500 {
			return fmt.Errorf("aliyun sms: HTTP %d", res.StatusCode)
		}
		return &Permanent{fmt.Errorf("aliyun sms: HTTP %d, not JSON: %.200s", res.StatusCode, body)}
	}
	switch {
	case answer.Code == "OK":
		return nil
	case res.StatusCode >= 500 || answer.Code == "isv.BUSINESS_LIMIT_CONTROL" || answer.Code == "Throttling.User" ||
		strings.HasPrefix(answer.Code, "ServiceUnavailable"):
		return fmt.Errorf("aliyun sms %s: %s (request %s)", answer.Code, answer.Message, answer.RequestId)
	}
	return &Permanent{fmt.Errorf("aliyun sms %s: %s (request %s)", answer.Code, answer.Message, answer.RequestId)}
}

// aliyunSignature is the RPC signature: base64(HMAC-SHA1(secret + "&", "GET&%2F&" + encode(query))).
func aliyunSignature(params map[string]string, secret string) string {
	toSign := "GET&" + aliyunEncode("/") + "&" + aliyunEncode(aliyunCanonical(params))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// aliyunCanonical is the query sorted by name, each name and value percent-encoded.
func aliyunCanonical(params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = aliyunEncode(k) + "=" + aliyunEncode(params[k])
	}
	return strings.Join(parts, "&")
}

// aliyunEncode is RFC 3986 percent-encoding as the provider wants it: space %20, * %2A, ~ kept.
func aliyunEncode(s string) string {
	e := url.QueryEscape(s)
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(e)
}

func randomNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
