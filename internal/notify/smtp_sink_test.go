package notify_test

import (
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server for the tests: it keeps every message it accepted, answers 550 to
// addresses starting "nobody" and 451 to the first try of addresses starting "busy".
type sink struct {
	addr     string
	mu       sync.Mutex
	messages []*mail.Message
	ids      map[string]int
	tried    map[string]int
}

func newSink(t testing.TB) *sink {
	t.Helper()
	s := &sink{ids: map[string]int{}, tried: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *sink) count() (messages, distinct int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages), len(s.ids)
}

type sinkSession struct {
	s  *sink
	to string
}

func (x *sinkSession) Reset()        {}
func (x *sinkSession) Logout() error { return nil }
func (x *sinkSession) Mail(string, *smtp.MailOptions) error {
	return nil
}

func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.tried[to]++
	switch {
	case strings.HasPrefix(to, "nobody"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	case strings.HasPrefix(to, "busy") && x.s.tried[to] == 1:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.to = to
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	m.Body = strings.NewReader(string(body))
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.messages = append(x.s.messages, m)
	x.s.ids[m.Header.Get("Message-ID")]++
	return nil
}
