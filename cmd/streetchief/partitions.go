package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/database"
)

const partitionsUsage = `streetchief partitions — the monthly partitions of the case history and the shop checks

  streetchief partitions list
  streetchief partitions detach --table=NAME --before YYYY-MM    (NAME: incident_event, merchant_inspection)
  streetchief partitions attach TABLE_YYYY_MM

detach takes every month before the one given out of the live table, in one transaction, into tables
of their own (<table>_YYYY_MM) for pg_dump to archive; the server no longer reads them. attach puts
one back. Rows are never deleted here; dropping an archived table after its dump is the operator's act.
`

func partitionsCommand(ctx context.Context, pool *pgxpool.Pool, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, partitionsUsage)
		return errors.New("partitions: no subcommand given")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("partitions "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)

	switch sub {
	case "list":
		if _, err := positional(fs, rest, 0); err != nil {
			return err
		}
		list, err := database.Partitions(ctx, pool)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "TABLE\tMONTH\tSTATE\tROWS (ESTIMATE)")
		for _, p := range list {
			state := "archived"
			if p.Attached {
				state = "live"
			}
			rows := fmt.Sprint(p.Rows)
			if p.Rows < 0 {
				rows = "not analysed"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Table, p.Month.Format("2006-01"), state, rows)
		}
		return w.Flush()

	case "detach":
		table := fs.String("table", "", "the partitioned table (required)")
		before := fs.String("before", "", "the first month that stays live, YYYY-MM (required)")
		if _, err := positional(fs, rest, 0); err != nil {
			return err
		}
		month, err := time.Parse("2006-01", *before)
		if err != nil || *table == "" {
			return fmt.Errorf("partitions detach: give --table and --before YYYY-MM (got %q, %q)", *table, *before)
		}
		gone, err := database.DetachBefore(ctx, pool, *table, month)
		if err != nil {
			return err
		}
		if len(gone) == 0 {
			fmt.Fprintf(stdout, "no live month of %s before %s\n", *table, *before)
		}
		for _, name := range gone {
			fmt.Fprintf(stdout, "detached %s (archive it with: pg_dump --table=%s)\n", name, name)
		}
		return nil

	case "attach":
		words, err := positional(fs, rest, 1)
		if err != nil {
			return err
		}
		if err := database.Attach(ctx, pool, words[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "attached %s\n", words[0])
		return nil
	}
	fmt.Fprint(stdout, partitionsUsage)
	return fmt.Errorf("partitions: unknown subcommand %q", sub)
}
