package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"streetchief/internal/notify"
)

// wecomServer is a stand-in for WeChat Work's API that checks each request as the provider
// documents it: the token fetched with corpid and corpsecret, the message posted as JSON with that
// token, agentid, touser, msgtype text and the duplicate check; it expires the first token once.
type wecomServer struct {
	mu       sync.Mutex
	tokens   int
	messages []map[string]any
	expired  bool
}

func (s *wecomServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	answer := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch r.URL.Path {
	case "/cgi-bin/gettoken":
		if r.Method != http.MethodGet || r.URL.Query().Get("corpid") != "ww-corp" || r.URL.Query().Get("corpsecret") != "app-secret" {
			answer(map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
			return
		}
		s.tokens++
		answer(map[string]any{"errcode": 0, "errmsg": "ok", "access_token": "token-" + string(rune('0'+s.tokens)), "expires_in": 7200})
	case "/cgi-bin/message/send":
		token := r.URL.Query().Get("access_token")
		if !s.expired && token == "token-1" {
			s.expired = true
			answer(map[string]any{"errcode": 42001, "errmsg": "access_token expired"})
			return
		}
		var m map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&m) != nil ||
			!strings.HasPrefix(token, "token-") || m["msgtype"] != "text" || m["agentid"] != float64(1000002) ||
			m["enable_duplicate_check"] != float64(1) {
			answer(map[string]any{"errcode": 40008, "errmsg": "invalid message type"})
			return
		}
		if m["touser"] == "nobody" {
			answer(map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": "nobody"})
			return
		}
		s.messages = append(s.messages, m)
		answer(map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "m1"})
	default:
		http.NotFound(w, r)
	}
}

func TestWeComSendsAsTheProviderDocumentsAndRenewsAnExpiredToken(t *testing.T) {
	api := &wecomServer{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	c := &notify.WeCom{BaseURL: srv.URL, CorpID: "ww-corp", Secret: "app-secret", AgentID: 1000002}
	ctx := context.Background()
	if err := c.Send(ctx, notify.Message{ID: "1.wecom", To: "ZhangSan", Subject: "案件 7 已派给您", Body: "http://x/#incident=7"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, notify.Message{ID: "2.wecom", To: "LiSi", Subject: "案件 8 已派给您"}); err != nil {
		t.Fatal(err)
	}
	if api.tokens != 2 || len(api.messages) != 2 || api.messages[0]["touser"] != "ZhangSan" ||
		!strings.Contains(api.messages[0]["text"].(map[string]any)["content"].(string), "案件 7") {
		t.Fatalf("%d tokens, messages %v", api.tokens, api.messages)
	}
	if err := c.Send(ctx, notify.Message{To: "nobody", Subject: "x"}); !notify.IsPermanent(err) {
		t.Fatalf("an unknown user: %v, want a permanent refusal", err)
	}
	bad := &notify.WeCom{BaseURL: srv.URL, CorpID: "ww-corp", Secret: "wrong", AgentID: 1000002}
	if err := bad.Send(ctx, notify.Message{To: "ZhangSan", Subject: "x"}); !notify.IsPermanent(err) || !strings.Contains(err.Error(), "40001") {
		t.Fatalf("a wrong secret: %v, want a loud permanent error", err)
	}
}

// TestAliyunSMSSendsASignedRequest: the stand-in server recomputes the signature from the query it
// received, as the provider does, and answers the provider's error codes.
func TestAliyunSMSSendsASignedRequest(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		params := map[string]string{}
		for k := range q {
			params[k] = q.Get(k)
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case q.Get("Signature") != notify.AliyunSignatureForTest(params, "key-secret"):
			_ = json.NewEncoder(w).Encode(map[string]string{"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched", "RequestId": "r1"})
		case q.Get("PhoneNumbers") == "13900000000":
			_ = json.NewEncoder(w).Encode(map[string]string{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r2"})
		case q.Get("PhoneNumbers") == "13911111111":
			_ = json.NewEncoder(w).Encode(map[string]string{"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "业务限流", "RequestId": "r3"})
		default:
			got = append(got, q.Get("PhoneNumbers")+" "+q.Get("TemplateParam")+" "+q.Get("SignName")+" "+q.Get("Action")+" "+q.Get("OutId"))
			_ = json.NewEncoder(w).Encode(map[string]string{"Code": "OK", "Message": "OK", "BizId": "b1", "RequestId": "r4"})
		}
	}))
	defer srv.Close()
	c := notify.AliyunSMS{Endpoint: srv.URL + "/", AccessKeyID: "key-id", AccessKeySecret: "key-secret", SignName: "新罗区城管", TemplateCode: "SMS_1"}
	ctx := context.Background()
	if err := c.Send(ctx, notify.Message{ID: "5.sms", To: "13812345678", Subject: "案件 5 已超期"}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != `13812345678 {"title":"案件 5 已超期"} 新罗区城管 SendSms 5.sms` {
		t.Fatalf("received %q", got)
	}
	if err := c.Send(ctx, notify.Message{To: "13900000000", Subject: "x"}); !notify.IsPermanent(err) || !strings.Contains(err.Error(), "MOBILE_NUMBER_ILLEGAL") {
		t.Fatalf("an illegal number: %v", err)
	}
	if err := c.Send(ctx, notify.Message{To: "13911111111", Subject: "x"}); err == nil || notify.IsPermanent(err) {
		t.Fatalf("throttled: %v, want an error to retry", err)
	}
	wrong := c
	wrong.AccessKeySecret = "other"
	if err := wrong.Send(ctx, notify.Message{To: "13812345678", Subject: "x"}); !notify.IsPermanent(err) || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("a wrong secret: %v", err)
	}
}
