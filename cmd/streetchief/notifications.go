package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/notify"
)

// startNotifications returns the inboxes and, when a channel is configured, starts the worker that
// delivers their outbox. Every replica runs one: they share the outbox without sending twice.
func startNotifications(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, publicURL string, email notify.SMTP) *notify.Store {
	var channels []notify.Channel
	if email.Addr != "" {
		channels = append(channels, email)
	}
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
