package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/notify"
)

// notifyFlags configure the channels notifications leave by. Secrets come from the environment
// only, never the command line (which other users of the machine can read).
type notifyFlags struct {
	publicURL                      *string
	smtpAddr, smtpFrom, smtpUser   *string
	wecomCorp                      *string
	wecomAgent                     *int64
	smsKeyID, smsSign, smsTemplate *string
}

func registerNotifyFlags(fs *flag.FlagSet) notifyFlags {
	return notifyFlags{
		publicURL: fs.String("public-url", "http://localhost:8080", "the dashboard's address as people reach it, for the links in notifications"),
		smtpAddr: fs.String("smtp-addr", os.Getenv("STREETCHIEF_SMTP_ADDR"),
			"SMTP submission server (host:port) for email notifications (env STREETCHIEF_SMTP_ADDR; password in env STREETCHIEF_SMTP_PASSWORD); empty: no email"),
		smtpFrom:    fs.String("smtp-from", "streetchief@localhost", "sender address of email notifications"),
		smtpUser:    fs.String("smtp-user", "", "SMTP user name, when the server wants one"),
		wecomCorp:   fs.String("wecom-corp-id", "", "WeChat Work (企业微信) corp id for application messages (secret in env STREETCHIEF_WECOM_SECRET); empty: none"),
		wecomAgent:  fs.Int64("wecom-agent-id", 0, "WeChat Work application's agent id"),
		smsKeyID:    fs.String("sms-access-key-id", "", "Alibaba Cloud SMS AccessKey id (secret in env STREETCHIEF_SMS_ACCESS_KEY_SECRET); empty: no SMS"),
		smsSign:     fs.String("sms-sign-name", "", "the approved SMS signature (签名)"),
		smsTemplate: fs.String("sms-template", "", "the approved SMS template code; its ${title} receives the notice"),
	}
}

// channels are the configured channels; a channel given in part is an error, not a silent gap.
func (f notifyFlags) channels() ([]notify.Channel, error) {
	var out []notify.Channel
	if *f.smtpAddr != "" {
		out = append(out, notify.SMTP{Addr: *f.smtpAddr, From: *f.smtpFrom, Username: *f.smtpUser, Password: os.Getenv("STREETCHIEF_SMTP_PASSWORD")})
	}
	if *f.wecomCorp != "" {
		if *f.wecomAgent <= 0 || os.Getenv("STREETCHIEF_WECOM_SECRET") == "" {
			return nil, fmt.Errorf("--wecom-corp-id needs --wecom-agent-id and env STREETCHIEF_WECOM_SECRET")
		}
		out = append(out, &notify.WeCom{CorpID: *f.wecomCorp, AgentID: *f.wecomAgent, Secret: os.Getenv("STREETCHIEF_WECOM_SECRET")})
	}
	if *f.smsKeyID != "" {
		if *f.smsSign == "" || *f.smsTemplate == "" || os.Getenv("STREETCHIEF_SMS_ACCESS_KEY_SECRET") == "" {
			return nil, fmt.Errorf("--sms-access-key-id needs --sms-sign-name, --sms-template and env STREETCHIEF_SMS_ACCESS_KEY_SECRET")
		}
		out = append(out, notify.AliyunSMS{AccessKeyID: *f.smsKeyID, AccessKeySecret: os.Getenv("STREETCHIEF_SMS_ACCESS_KEY_SECRET"),
			SignName: *f.smsSign, TemplateCode: *f.smsTemplate})
	}
	return out, nil
}

// startNotifications returns the inboxes and, when a channel is configured, starts the worker that
// delivers their outbox. Every replica runs one: they share the outbox without sending twice.
func startNotifications(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, publicURL string, channels []notify.Channel) *notify.Store {
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = c.Name()
	}
	store := notify.NewStore(pool, names...)
	if len(channels) > 0 {
		w := notify.NewWorker(pool, channels...)
		w.BaseURL, w.Log = publicURL, logger
		go w.Run(ctx)
		logger.Info("delivering notifications", "channels", names)
	}
	return store
}

// parseClock reads "HH:MM"; "" is (-1, -1): switched off.
func parseClock(s string) (hour, minute int, err error) {
	if s == "" {
		return -1, -1, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return t.Hour(), t.Minute(), nil
}
