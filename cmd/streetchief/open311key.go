package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/httpapi"
)

const open311KeyUsage = `streetchief open311-key — Open311 api_keys for integrators (a hotline, a city app)

  streetchief open311-key issue --name N [--jurisdiction J] [--per-minute 600] [--ttl 8760h]
  streetchief open311-key revoke ID
  streetchief open311-key list

A report sent with a key counts against the key's per-minute limit instead of the anonymous one.
The jurisdiction defaults to the server's (--open311-jurisdiction, env STREETCHIEF_OPEN311_JURISDICTION).
Keys are printed once; only their hash is kept.
`

// open311Jurisdiction is the deployment's Open311 jurisdiction_id, the same for serve and this command.
func open311Jurisdiction() string {
	return envOr("STREETCHIEF_OPEN311_JURISDICTION", httpapi.DefaultOpen311Jurisdiction)
}

// open311KeyCommand runs as the operator (access.System("cli")); every change is audited under that name.
func open311KeyCommand(ctx context.Context, pool *pgxpool.Pool, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, open311KeyUsage)
		return errors.New("open311-key: no subcommand given")
	}
	svc := auth.NewService(pool, auth.Options{})
	who := access.System("cli")
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("open311-key "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)

	switch sub {
	case "issue":
		name := fs.String("name", "", "who the key is for (required)")
		jurisdiction := fs.String("jurisdiction", open311Jurisdiction(), "the jurisdiction_id the key reports to")
		perMinute := fs.Int("per-minute", 600, "reports per minute the key may send")
		ttl := fs.Duration("ttl", 365*24*time.Hour, "how long the key lives")
		if _, err := positional(fs, rest, 0); err != nil {
			return err
		}
		secret, k, err := svc.IssueOpen311Key(ctx, who, auth.Open311KeyInput{Name: *name, Jurisdiction: *jurisdiction,
			PerMinute: *perMinute, ExpiresAt: time.Now().Add(*ttl)})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Open311 key %d for %s (%s, %d a minute), expires %s; shown once:\n%s\n",
			k.ID, k.Name, k.Jurisdiction, k.PerMinute, k.ExpiresAt.Format(time.RFC3339), secret)
		return nil

	case "revoke":
		words, err := positional(fs, rest, 1)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(words[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("open311-key revoke: %q is not a key id", words[0])
		}
		k, err := svc.RevokeOpen311Key(ctx, who, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Open311 key %d (%s) revoked at %s\n", k.ID, k.Name, k.RevokedAt.Format(time.RFC3339))
		return nil

	case "list":
		if _, err := positional(fs, rest, 0); err != nil {
			return err
		}
		keys, err := svc.Open311Keys(ctx, who)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tJURISDICTION\tPER MINUTE\tEXPIRES\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", k.ID, k.Name, k.Jurisdiction, k.PerMinute, k.ExpiresAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()

	case "help", "-h", "--help":
		fmt.Fprint(stdout, open311KeyUsage)
		return nil
	}
	fmt.Fprint(stdout, open311KeyUsage)
	return fmt.Errorf("open311-key: unknown subcommand %q", sub)
}
