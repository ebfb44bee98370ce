package assessment

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/notify"
)

// tellResults tells each subdistrict's street chief its score and rank in a publication, in the
// publication's transaction: the assessment is the policy's teeth only if those it bites hear of it
// at once. An amendment tells them again, with its reason.
func (s *Service) tellResults(ctx context.Context, tx pgx.Tx, who access.Principal, pubID int64, p Period, rows []Row, revision int, reason string) error {
	kind := "assessment_published"
	if revision > 1 {
		kind = "assessment_amended"
	}
	at := s.now()
	if s.noticeAt != nil {
		var tell bool
		if at, tell = s.noticeAt(p); !tell {
			return nil
		}
	}
	for _, r := range rows {
		chiefs, err := streetChiefs(ctx, tx, r.SubdistrictID, at)
		if err != nil {
			return err
		}
		params := map[string]any{"period": p.Label, "subdistrict": r.Name, "score": r.Score.String(), "rank": r.Rank,
			"of": len(rows), "revision": revision, "reason": reason}
		for _, person := range chiefs {
			if person == who.PersonID {
				continue
			}
			n := notify.Notice{PersonID: person, Kind: kind, Subject: notify.Subject{Type: "assessment", ID: pubID},
				Params: params, DedupeKey: fmt.Sprintf("assessment:%d:%d", pubID, r.SubdistrictID), At: at}
			if _, err := notify.Enqueue(ctx, tx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

func streetChiefs(ctx context.Context, tx pgx.Tx, subdistrict int64, at time.Time) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM assignment_standing
		WHERE admin_unit_id = $1 AND role = 'street_chief' AND valid @> $2::timestamptz`, subdistrict, at)
	if err != nil {
		return nil, wrap("street chiefs", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, wrap("street chiefs", err)
	}
	slices.Sort(ids)
	return ids, nil
}
