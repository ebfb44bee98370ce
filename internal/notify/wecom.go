package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// WeCom sends notices as application text messages of WeChat Work (企业微信): an access token from
// /cgi-bin/gettoken (corpid + the application's secret), kept until shortly before it expires, then
// /cgi-bin/message/send to the person's WeChat Work user id, with the provider's duplicate check on
// so a repeated delivery within half an hour reaches nobody twice.
type WeCom struct {
	BaseURL string // default https://qyapi.weixin.qq.com
	CorpID  string
	Secret  string
	AgentID int64
	Client  *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Name is the channel's name in the schema.
func (*WeCom) Name() string { return "wecom" }

// wecomAnswer is the envelope of every answer: errcode 0 is success.
type wecomAnswer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	InvalidUser string `json:"invaliduser"`
}

// Token errors: the token is invalid or expired, so a fresh one is fetched and the send tried again.
var wecomTokenErrors = map[int]bool{40014: true, 42001: true, 40001: true}

// Transient errors worth a retry later: system busy, frequency limits.
var wecomTransient = map[int]bool{-1: true, 45009: true, 45033: true, 45047: true}

// Send delivers one message.
func (c *WeCom) Send(ctx context.Context, m Message) error {
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]any{"touser": m.To, "msgtype": "text", "agentid": c.AgentID,
			"text": map[string]string{"content": m.Subject + "\n" + m.Body}, "safe": 0,
			"enable_duplicate_check": 1, "duplicate_check_interval": 1800})
		var a wecomAnswer
		if err := c.call(ctx, http.MethodPost, "/cgi-bin/message/send?access_token="+url.QueryEscape(token), body, &a); err != nil {
			return err
		}
		switch {
		case a.ErrCode == 0 && a.InvalidUser == "":
			return nil
		case a.ErrCode == 0:
			return &Permanent{fmt.Errorf("wecom: user %s is not in the corporation's directory", a.InvalidUser)}
		case wecomTokenErrors[a.ErrCode] && attempt == 0:
			c.forget(token)
			continue
		case wecomTransient[a.ErrCode]:
			return fmt.Errorf("wecom %d: %s", a.ErrCode, a.ErrMsg)
		}
		return &Permanent{fmt.Errorf("wecom %d: %s", a.ErrCode, a.ErrMsg)}
	}
}

func (c *WeCom) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && time.Now().Before(c.expires) {
		return c.token, nil
	}
	var a wecomAnswer
	q := url.Values{"corpid": {c.CorpID}, "corpsecret": {c.Secret}}
	if err := c.call(ctx, http.MethodGet, "/cgi-bin/gettoken?"+q.Encode(), nil, &a); err != nil {
		return "", err
	}
	if a.ErrCode != 0 || a.AccessToken == "" {
		if wecomTransient[a.ErrCode] {
			return "", fmt.Errorf("wecom token %d: %s", a.ErrCode, a.ErrMsg)
		}
		return "", &Permanent{fmt.Errorf("wecom token %d: %s", a.ErrCode, a.ErrMsg)}
	}
	// A token is good for expires_in seconds (7,200); renew a few minutes early.
	c.token, c.expires = a.AccessToken, time.Now().Add(time.Duration(a.ExpiresIn)*time.Second-5*time.Minute)
	return c.token, nil
}

func (c *WeCom) forget(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

func (c *WeCom) call(ctx context.Context, method, path string, body []byte, out *wecomAnswer) error {
	base := c.BaseURL
	if base == "" {
		base = "https://qyapi.weixin.qq.com"
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return &Permanent{err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
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
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom: HTTP %d", res.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Permanent{fmt.Errorf("wecom: answer is not JSON: %.200s", raw)}
	}
	return nil
}
