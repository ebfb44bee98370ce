package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/apperr"
)

// The tables that grow by the month (incident_event, merchant_inspection) are partitioned by the
// Beijing calendar month of their `at` (migration 0044). The partitions of the months ahead are
// made before they are needed; a month past keeping is detached whole into a table of its own, to
// be dumped for archive, and can be attached again. Nothing here deletes a row.

// PartitionsAhead is how many months beyond the current one always have their partitions.
const PartitionsAhead = 3

var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// monthlyPartition matches the partitions' names: <parent>_YYYY_MM.
var monthlyPartition = regexp.MustCompile(`^([a-z_]+)_([0-9]{4})_([0-9]{2})$`)

// Partition is one month of a partitioned table, attached (live) or detached (archived).
type Partition struct {
	Table    string    // the partitioned table
	Name     string    // <table>_YYYY_MM
	Month    time.Time // the 1st of the month, Beijing midnight
	Attached bool
	Rows     int64 // PostgreSQL's estimate (pg_class.reltuples), -1 before the table was first analysed
}

// KeepPartitionsAhead makes the partitions of this month and the next PartitionsAhead at once and then
// every six hours, until ctx ends. Every replica runs it; the database takes them one at a time.
func KeepPartitionsAhead(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) {
	tick := time.NewTicker(6 * time.Hour)
	defer tick.Stop()
	for {
		var made int
		if err := pool.QueryRow(ctx, `SELECT month_partitions_ahead($1)`, PartitionsAhead).Scan(&made); err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Error("making the partitions of the months ahead", "err", err)
		} else if made > 0 {
			logger.Info("partitions made for the months ahead", "count", made)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Partitions lists every monthly partition, attached or archived, by table and month.
func Partitions(ctx context.Context, db Querier) ([]Partition, error) {
	rows, err := db.Query(ctx, `
		SELECT parent.relname, c.relname, i.inhrelid IS NOT NULL, c.reltuples::bigint
		  FROM pg_partitioned_table p
		  JOIN pg_class parent ON parent.oid = p.partrelid AND parent.relnamespace = 'public'::regnamespace
		  JOIN pg_class c ON c.relnamespace = parent.relnamespace AND c.relkind = 'r'
		       AND c.relname ~ ('^' || parent.relname || '_[0-9]{4}_[0-9]{2}$')
		  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = parent.oid
		 ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Partition, error) {
		var p Partition
		if err := r.Scan(&p.Table, &p.Name, &p.Attached, &p.Rows); err != nil {
			return p, err
		}
		month, err := partitionMonth(p.Table, p.Name)
		p.Month = month
		return p, err
	})
	return list, err
}

// DetachBefore detaches every attached partition of table for a month before `before` (a month's 1st),
// all in one transaction: either every such month leaves the live table or none does. The current
// month cannot go, nor months while older rows of the table's default partition would stay live.
func DetachBefore(ctx context.Context, pool *pgxpool.Pool, table string, before time.Time) ([]string, error) {
	before = time.Date(before.Year(), before.Month(), 1, 0, 0, 0, 0, beijing)
	now := time.Now().In(beijing)
	if thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, beijing); before.After(thisMonth) {
		return nil, apperr.New(apperr.Invalid, "the current month and later stay live: give a month no later than %s", thisMonth.Format("2006-01"))
	}
	all, err := partitionsOf(ctx, pool, table)
	if err != nil {
		return nil, err
	}
	var detached []string
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var older int64
		if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE at < $1`, pgx.Identifier{table + "_default"}.Sanitize()),
			before).Scan(&older); err != nil {
			return err
		}
		if older > 0 {
			return apperr.New(apperr.Conflict, "%d rows of %s dated before %s are in its default partition (older than its first month); "+
				"they would stay live while their months left", older, table, before.Format("2006-01"))
		}
		for _, p := range all {
			if !p.Attached || !p.Month.Before(before) {
				continue
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s DETACH PARTITION %s`,
				pgx.Identifier{table}.Sanitize(), pgx.Identifier{p.Name}.Sanitize())); err != nil {
				return refusedDetach(err, p.Name)
			}
			detached = append(detached, p.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return detached, nil
}

// Attach puts an archived month (a table detached by DetachBefore, or restored from its dump) back
// into its partitioned table.
func Attach(ctx context.Context, pool *pgxpool.Pool, name string) error {
	m := monthlyPartition.FindStringSubmatch(name)
	if m == nil {
		return apperr.New(apperr.Invalid, "%q is not a monthly partition's name (<table>_YYYY_MM)", name)
	}
	all, err := partitionsOf(ctx, pool, m[1])
	if err != nil {
		return err
	}
	for _, p := range all {
		if p.Name != name {
			continue
		}
		if p.Attached {
			return apperr.New(apperr.Conflict, "%s is attached already", name)
		}
		_, err := pool.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM ('%s') TO ('%s')`,
			pgx.Identifier{p.Table}.Sanitize(), pgx.Identifier{p.Name}.Sanitize(),
			p.Month.Format(time.RFC3339), p.Month.AddDate(0, 1, 0).Format(time.RFC3339)))
		return Refused(err, "partition", nil)
	}
	return apperr.New(apperr.NotFound, "no table %s to attach", name)
}

// partitionsOf lists one table's partitions, refusing a name that is not a table partitioned here.
func partitionsOf(ctx context.Context, db Querier, table string) ([]Partition, error) {
	var partitioned bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
		WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace)`, table).Scan(&partitioned); err != nil {
		return nil, err
	}
	if !partitioned {
		return nil, apperr.New(apperr.Invalid, "%q is not a table partitioned by month", table)
	}
	all, err := Partitions(ctx, db)
	if err != nil {
		return nil, err
	}
	var mine []Partition
	for _, p := range all {
		if p.Table == table {
			mine = append(mine, p)
		}
	}
	return mine, nil
}

func partitionMonth(table, name string) (time.Time, error) {
	t, err := time.ParseInLocation("2006_01", name[len(table)+1:], beijing)
	if err != nil {
		return t, fmt.Errorf("partition %s: %w", name, err)
	}
	return t, nil
}

// refusedDetach says which rows hold a month in the live tables: rows elsewhere still pointing at it.
func refusedDetach(err error, name string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return apperr.New(apperr.Conflict, "%s cannot leave the live tables: %s (archive what refers to it first)", name, pgErr.Message)
	}
	return err
}
