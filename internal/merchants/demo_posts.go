package merchants

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// demoInspectorPerson is the person the demo's inspector account stands for: auth's demo pick, the
// inspector post over the first subdistrict.
const demoInspectorPerson = `SELECT s.person_id, s.admin_unit_id FROM unit_directory u JOIN assignment_standing s ON s.admin_unit_id = u.id
	WHERE s.role = 'inspector' AND s.valid @> now() ORDER BY u.level = 'community', u.id, s.is_primary DESC, s.id LIMIT 1`

// demoPosts signs the demo shops' pledges and puts their inspectors in charge.
func demoPosts(ctx context.Context, tx pgx.Tx, r *rand.Rand) (DemoSummary, error) {
	var sum DemoSummary
	type shop struct{ id, sub, com int64 }
	rows, err := tx.Query(ctx, `SELECT id, COALESCE(subdistrict_id, 0), COALESCE(community_id, 0) FROM merchant
		WHERE source_key LIKE 'demo:%' ORDER BY id`)
	if err != nil {
		return sum, err
	}
	shops, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (shop, error) {
		var s shop
		return s, row.Scan(&s.id, &s.sub, &s.com)
	})
	if err != nil {
		return sum, err
	}
	sum.Shops = len(shops)
	// Each community's own people: its lane chief and deputies, the managers and volunteers of its areas.
	people := map[int64][]int64{}
	witness := map[int64]int64{}
	rows, err = tx.Query(ctx, `SELECT DISTINCT COALESCE(s.admin_unit_id, a.community_id), s.person_id, s.role
		FROM assignment_standing s LEFT JOIN area_directory a ON a.id = s.area_id
		WHERE s.valid @> now() AND s.role IN ('lane_chief', 'deputy', 'area_manager', 'volunteer')
		  AND COALESCE(s.admin_unit_id, a.community_id) IN (SELECT id FROM unit_directory WHERE level = 'community')
		ORDER BY 1, 3, 2`)
	if err != nil {
		return sum, err
	}
	var com, person int64
	var role string
	if _, err := pgx.ForEachRow(rows, []any{&com, &person, &role}, func() error {
		if role == "lane_chief" {
			witness[com] = person
		}
		if len(people[com]) < 12 {
			people[com] = append(people[com], person)
		}
		return nil
	}); err != nil {
		return sum, err
	}
	inspectors := map[int64][]int64{}
	for com, ps := range people {
		n := 1 + r.IntN(3)
		for i := 0; i < n && i < len(ps); i++ {
			inspectors[com] = append(inspectors[com], ps[(i*5)%len(ps)])
		}
	}
	var demoPerson, demoSub int64
	if err := tx.QueryRow(ctx, demoInspectorPerson).Scan(&demoPerson, &demoSub); err != nil && err != pgx.ErrNoRows {
		return sum, err
	}
	today := beijingDay(time.Now())
	now := time.Now()
	var pl demoPledges
	var po struct {
		shop, person []int64
		from         []time.Time
	}
	for i, s := range shops {
		// About 4 % never signed; of the rest, one in twelve signed a pledge that has lapsed unrenewed.
		switch p := r.IntN(100); {
		case p < 4:
		case p < 11:
			signed := today.AddDate(0, 0, -400-r.IntN(300))
			pl.add(s.id, signed, signed.AddDate(0, 0, r.IntN(3)), time.Time{}, witness[s.com], r)
		default:
			signed := today.AddDate(0, 0, -10-r.IntN(340))
			from := signed.AddDate(0, 0, r.IntN(3))
			if r.IntN(3) == 0 { // a renewal: the first year's pledge ran until this one began
				prev := from.AddDate(-1, 0, 0)
				pl.add(s.id, prev, prev, from, witness[s.com], r)
			}
			pl.add(s.id, signed, from, time.Time{}, witness[s.com], r)
			sum.Pledged++
		}
		person := int64(0)
		if list := inspectors[s.com]; len(list) > 0 && r.IntN(60) != 0 { // one shop in sixty: nobody yet
			person = list[i%len(list)]
		}
		if demoPerson != 0 && s.sub == demoSub && sum.InspectorShops < demoInspectorShops && i%3 == 0 {
			person = demoPerson
			sum.InspectorShops++
		}
		if person != 0 {
			from := now.AddDate(0, 0, -30-r.IntN(500))
			po.shop, po.person, po.from = append(po.shop, s.id), append(po.person, person), append(po.from, from)
			sum.WithInspector++
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO merchant_pledge (merchant_id, signed_on, valid, signer_name, witness_person_id, note)
		SELECT m, s, daterange(f, u), n, NULLIF(w, 0), '演示数据' FROM unnest($1::bigint[], $2::date[], $3::date[], $4::date[], $5::text[], $6::bigint[])
			AS x(m, s, f, u, n, w)`, pl.shop, pl.signed, pl.from, pl.until, pl.signer, pl.witness); err != nil {
		return sum, fmt.Errorf("demo pledges: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO merchant_inspector (merchant_id, person_id, valid, note)
		SELECT m, p, tstzrange(f, NULL), '演示数据' FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS x(m, p, f)`,
		po.shop, po.person, po.from); err != nil {
		return sum, fmt.Errorf("demo inspectors: %w", err)
	}
	return sum, nil
}

// demoPledges are the demo's pledges as columns, for one INSERT.
type demoPledges struct {
	shop, witness       []int64
	signed, from, until []time.Time
	signer              []string
}

// add is a pledge signed on signed for [from, until), a year when until is zero.
func (p *demoPledges) add(shop int64, signed, from, until time.Time, witness int64, r *rand.Rand) {
	if until.IsZero() {
		until = from.AddDate(1, 0, 0)
	}
	p.shop, p.witness = append(p.shop, shop), append(p.witness, witness)
	p.signed, p.from, p.until = append(p.signed, signed), append(p.from, from), append(p.until, until)
	p.signer = append(p.signer, string(demoSurnames[r.IntN(len(demoSurnames))])+string(demoGiven[r.IntN(len(demoGiven))]))
}
