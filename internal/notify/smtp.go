package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"time"
)

// SMTP sends notices as email through a submission server. With Username set it authenticates
// (PLAIN, which net/smtp allows only over TLS or to localhost).
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// Domain ends the Message-ID, so a repeat of one delivery is recognisably the same message.
	Domain string
}

// Name is the channel's name in the schema.
func (SMTP) Name() string { return "email" }

// Send delivers one message; a 5xx answer is Permanent, anything else may be retried.
func (c SMTP) Send(ctx context.Context, m Message) error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return &Permanent{fmt.Errorf("smtp address %q: %w", c.Addr, err)}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classify(err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return classify(err)
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, host)); err != nil {
			return classify(err)
		}
	}
	if err := cl.Mail(c.From); err != nil {
		return classify(err)
	}
	if err := cl.Rcpt(m.To); err != nil {
		return classify(err)
	}
	wc, err := cl.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := wc.Write(c.compose(m)); err != nil {
		return classify(err)
	}
	if err := wc.Close(); err != nil {
		return classify(err)
	}
	return classify(cl.Quit())
}

func (c SMTP) compose(m Message) []byte {
	domain := c.Domain
	if domain == "" {
		domain = "streetchief.invalid"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@%s>\r\nDate: %s\r\n", c.From, m.To,
		mime.BEncoding.Encode("UTF-8", m.Subject), m.ID, domain, time.Now().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// classify makes a 5xx reply Permanent.
func classify(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &Permanent{err}
	}
	return err
}
