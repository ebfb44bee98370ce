package funds

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
)

// DemoSummary is what SeedDemo booked.
type DemoSummary struct {
	Allocations int
	Spendings   int
	Corrections int
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d allocation entries for 2025 and 2026, %d volunteer-service purchases, %d corrected", d.Allocations, d.Spendings, d.Corrections)
}

// DemoOrganisation is the volunteer organisation the demo district buys its services from.
const DemoOrganisation = "新罗区志愿服务中心"

// demoMonthly is each month's purchase of volunteer services: twelve of them stay under the
// 1,000,000-yuan budget, and each payer's six under its 500,000.
const demoMonthly = 75_000 * 100

// demoMonths are the months of the demo's purchases: all of 2025 and 2026 up to November.
var demoMonths = map[int]int{2025: 12, 2026: 11}

// SeedDemo books the demo district's ledger through the service, as the finance office would: the
// standing allocations of 2025 and 2026, a purchase of volunteer services from DemoOrganisation each
// month (borne by city and district in turn), and one purchase booked at the wrong amount and
// corrected. Rewards and penalties come from the assessment's published results, not from here. It
// books nothing twice: allocations are idempotent, and purchases are skipped once any is booked.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool) (DemoSummary, error) {
	s := NewService(pool)
	who := access.System("demo")
	var sum DemoSummary
	for _, y := range []int{2025, 2026} {
		a, err := s.Allocate(ctx, who, y)
		if err != nil {
			return sum, err
		}
		sum.Allocations += len(a.Booked)
	}
	var booked bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM funds_entry WHERE fund = 'volunteer_service' AND kind = 'spending')`).Scan(&booked); err != nil {
		return sum, fmt.Errorf("demo funds: %w", err)
	}
	if booked {
		return sum, nil
	}
	var wrong int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, y := range []int{2025, 2026} {
			for m := 1; m <= demoMonths[y]; m++ {
				payer, fen := City, int64(demoMonthly)
				if m%2 == 0 {
					payer = District
				}
				if y == 2026 && m == 3 {
					fen = 77_500 * 100 // booked from the order, not the invoice: corrected below
				}
				ids, err := Post(ctx, tx, who, Entry{Year: y, Fund: VolunteerService, Payer: payer, Kind: Spending, Fen: -fen,
					SourceType: SourceManual, Reason: fmt.Sprintf("%d年%d月向%s购买志愿服务", y, m, DemoOrganisation)})
				if err != nil {
					return err
				}
				if y == 2026 && m == 3 {
					wrong = ids[0]
				}
				sum.Spendings++
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("demo funds: %w", err)
	}
	if _, err := s.Correct(ctx, who, wrong, -demoMonthly, "按发票金额更正：2026年3月实付75,000元，记账时误按订单77,500元"); err != nil {
		return sum, fmt.Errorf("demo funds: %w", err)
	}
	sum.Corrections++
	return sum, nil
}
