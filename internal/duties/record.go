package duties

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
)

// Record is a duty record (履职记录): what a member did on a Beijing day, where, for how long, who
// entered it and what the community said of it.
type Record struct {
	ID            int64      `json:"id"`
	MemberID      int64      `json:"member_id"`
	PersonID      int64      `json:"person_id"`
	Name          string     `json:"name"`
	MemberType    MemberType `json:"member_type"`
	CommunityID   int64      `json:"community_id,omitempty"`
	CommunityName string     `json:"community,omitempty"`
	Day           time.Time  `json:"day"`
	Kind          string     `json:"kind"`
	Lon           *float64   `json:"lon,omitempty"`
	Lat           *float64   `json:"lat,omitempty"`
	AreaID        int64      `json:"area_id,omitempty"`
	AreaName      string     `json:"area,omitempty"`
	Description   string     `json:"description"`
	Photos        int        `json:"photos"`
	Hours         float64    `json:"hours"`
	EnteredAs     string     `json:"entered_as"` // member or community
	EnteredBy     string     `json:"entered_by"`
	CreatedAt     time.Time  `json:"created_at"`
	Status        Status     `json:"status"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	ReturnReason  string     `json:"return_reason,omitempty"`
	VoidReason    string     `json:"void_reason,omitempty"`
	enteredByUser int64
	place         place
}

// RecordInput is a duty record as sent.
type RecordInput struct {
	MemberID    int64                   `json:"member_id"`
	Day         string                  `json:"day"`
	Kind        string                  `json:"kind"`
	Lon         *float64                `json:"lon"`
	Lat         *float64                `json:"lat"`
	AreaID      int64                   `json:"area_id"`
	Description string                  `json:"description"`
	Hours       float64                 `json:"hours"`
	Photos      jsonlist.Capped[string] `json:"photos"`
}

// checkedRecord is a record whose fields passed the rules that need no database.
type checkedRecord struct {
	RecordInput
	day    time.Time
	point  *orb.Point
	photos []incidents.Photo
}

// DecodeRecord reads a record from JSON.
func DecodeRecord(body []byte) (RecordInput, error) {
	in := RecordInput{Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	err := jsonlist.DecodeStrict(body, &in)
	return in, err
}

func (s *Service) checkRecord(in RecordInput) (checkedRecord, error) {
	c := checkedRecord{RecordInput: in}
	if in.MemberID <= 0 {
		return c, invalid("member_id", "member_id is required")
	}
	var err error
	if c.day, err = ParseDay("day", in.Day); err != nil {
		return c, err
	}
	if c.day.After(s.today()) {
		return c, invalid("day", "day %s is in the future (Beijing time): record what was done", in.Day)
	}
	if strings.TrimSpace(in.Kind) == "" {
		return c, invalid("kind", "kind is required (GET /api/v1/duty-kinds)")
	}
	if !finite(in.Hours) || in.Hours <= 0 || in.Hours > 24 {
		return c, invalid("hours", "hours %v must be more than 0 and at most 24 (one day)", in.Hours)
	}
	c.Description = strings.TrimSpace(in.Description)
	if c.Description == "" {
		return c, invalid("description", "say what was done (description)")
	}
	if err := checkText("description", c.Description, 2000); err != nil {
		return c, err
	}
	if (in.Lon == nil) != (in.Lat == nil) {
		return c, invalid("lon", "give lon and lat together")
	}
	if (in.Lon != nil) == (in.AreaID != 0) {
		return c, invalid("lon", "give the place as a point (lon, lat) or an area (area_id), one of them")
	}
	if in.Lon != nil {
		lon, lat := *in.Lon, *in.Lat
		if !finite(lon) || !finite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			return c, invalid("lon", "lon %v, lat %v is not a WGS-84 position", lon, lat)
		}
		c.point = &orb.Point{lon, lat}
	}
	if in.AreaID < 0 {
		return c, invalid("area_id", "area_id %d is not an id", in.AreaID)
	}
	raw, err := incidents.DecodePhotos(in.Photos.Items)
	if err != nil {
		return c, err
	}
	c.photos, err = incidents.CheckPhotos(raw)
	return c, err
}

// EnterRecord stores a duty record: by the member, the lane chief of their community or an admin.
// Whatever fails — an unknown member, a day outside the membership, a place outside the district —
// writes nothing.
func (s *Service) EnterRecord(ctx context.Context, who access.Principal, in RecordInput) (Record, error) {
	c, err := s.checkRecord(in)
	if err != nil {
		return Record{}, err
	}
	var id int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		m, err := s.member(ctx, tx, who, c.MemberID)
		if apperr.Is(err, apperr.NotFound) {
			return invalid("member_id", "no member %d you may enter records for", c.MemberID)
		}
		if err != nil {
			return err
		}
		if !enters(who, m.place()) {
			return apperr.New(apperr.Forbidden, "records of member %d are entered by the member or the lane chief of their community", m.ID)
		}
		if c.day.Before(m.From) || m.Until != nil && !c.day.Before(*m.Until) {
			return invalid("day", "%s was not a day of membership %d (from %s)", c.Day, m.ID, m.From.Format(time.DateOnly))
		}
		var retired bool
		err = tx.QueryRow(ctx, `SELECT retired FROM duty_kind WHERE code = $1`, c.Kind).Scan(&retired)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && retired {
			return invalid("kind", "kind %q is not one of the duty kinds in use (GET /api/v1/duty-kinds)", clip(c.Kind, 40))
		}
		if err != nil {
			return fmt.Errorf("kind: %w", err)
		}
		if err := s.checkPlace(ctx, tx, c); err != nil {
			return err
		}
		shas := make([][]byte, 0, len(c.photos))
		for _, p := range c.photos {
			sha, err := s.storeFile(ctx, tx, file{contentType: p.ContentType, bytes: p.Bytes})
			if err != nil {
				return err
			}
			shas = append(shas, sha)
		}
		var loc any
		if c.point != nil {
			loc = wkb.Value(*c.point)
		}
		as := "community"
		if who.Role == access.Participant {
			as = "member"
		}
		err = tx.QueryRow(ctx, `INSERT INTO duty_record (member_id, community_id, subdistrict_id, day, kind, location, area_id,
				description, photo_sha256, hours, entered_as, entered_by, entered_by_user_id)
			VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), $4, $5, ST_SetSRID(ST_GeomFromWKB($6), 4326), NULLIF($7, 0), $8, $9, $10, $11, $12, NULLIF($13, 0))
			RETURNING id`, m.ID, m.CommunityID, m.SubdistrictID, c.day, c.Kind, loc, c.AreaID, c.Description, shas, c.Hours,
			as, who.Label(), who.UserID).Scan(&id)
		return translate(err, "record")
	})
	if err != nil {
		return Record{}, err
	}
	return s.Record(ctx, access.System("duties"), id)
}

// checkPlace refuses a point outside the district's boundary or an area the registry does not hold.
func (s *Service) checkPlace(ctx context.Context, tx pgx.Tx, c checkedRecord) error {
	if c.point != nil {
		var inside bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_directory WHERE level = 'district'
			AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326)))`, c.point[0], c.point[1]).Scan(&inside)
		if err != nil {
			return fmt.Errorf("place: %w", err)
		}
		if !inside {
			return invalid("lon", "lon %v, lat %v lies outside the district", c.point[0], c.point[1])
		}
		return nil
	}
	var sub *int64
	err := tx.QueryRow(ctx, `SELECT subdistrict_id FROM area_directory WHERE id = $1`, c.AreaID).Scan(&sub)
	if errors.Is(err, pgx.ErrNoRows) {
		return invalid("area_id", "area %d not found", c.AreaID)
	}
	if err != nil {
		return fmt.Errorf("area: %w", err)
	}
	if sub == nil {
		return invalid("area_id", "area %d lies outside the district", c.AreaID)
	}
	return nil
}

// recordColumns read a record aliased r with its member m; the status is its events'.
const recordColumns = `r.id, r.member_id, m.person_id, COALESCE(p.name, ''), m.member_type, COALESCE(r.community_id, 0), COALESCE(c.name, ''),
	COALESCE(r.subdistrict_id, 0), r.day, r.kind, ST_X(r.location), ST_Y(r.location), COALESCE(r.area_id, 0), COALESCE(a.name, ''),
	r.description, cardinality(r.photo_sha256), r.hours::float8, r.entered_as, r.entered_by, COALESCE(r.entered_by_user_id, 0), r.created_at,
	d.kind, d.by_label, d.at, d.reason, COALESCE(v.reason, '')
	FROM duty_record r
	JOIN duty_member m ON m.id = r.member_id
	LEFT JOIN person_directory p ON p.id = m.person_id
	LEFT JOIN unit_directory c ON c.id = r.community_id
	LEFT JOIN area_directory a ON a.id = r.area_id
	LEFT JOIN duty_record_event d ON d.record_id = r.id AND d.kind IN ('confirm', 'return')
	LEFT JOIN duty_record_event v ON v.record_id = r.id AND v.kind = 'void'`

func scanRecord(row pgx.Row) (Record, error) {
	var (
		r                     Record
		decision, by, dReason *string
		sub                   int64
	)
	err := row.Scan(&r.ID, &r.MemberID, &r.PersonID, &r.Name, &r.MemberType, &r.CommunityID, &r.CommunityName, &sub, &r.Day, &r.Kind,
		&r.Lon, &r.Lat, &r.AreaID, &r.AreaName, &r.Description, &r.Photos, &r.Hours, &r.EnteredAs, &r.EnteredBy, &r.enteredByUser,
		&r.CreatedAt, &decision, &by, &r.DecidedAt, &dReason, &r.VoidReason)
	r.place = place{personID: r.PersonID, subdistrictID: sub, communityID: r.CommunityID}
	r.Status = Pending
	if decision != nil {
		r.DecidedBy = *by
		r.Status = Confirmed
		if *decision == "return" {
			r.Status, r.ReturnReason = Returned, *dReason
		}
	}
	if r.VoidReason != "" {
		r.Status = Voided
	}
	return r, err
}

// Record returns one record the caller may read.
func (s *Service) Record(ctx context.Context, who access.Principal, id int64) (Record, error) {
	return s.record(ctx, s.db, who, id, "")
}

func (s *Service) record(ctx context.Context, q querier, who access.Principal, id int64, lock string) (Record, error) {
	pred, args := memberPredicate(who, []any{id})
	r, err := scanRecord(q.QueryRow(ctx, `SELECT `+recordColumns+` WHERE r.id = $1 AND `+pred+lock, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return Record{}, apperr.New(apperr.NotFound, "duty record %d not found", id)
	}
	if err != nil {
		return Record{}, fmt.Errorf("duty record %d: %w", id, err)
	}
	return r, nil
}

// Confirm confirms a pending record: the community's lane chief or an admin, not whoever entered it.
func (s *Service) Confirm(ctx context.Context, who access.Principal, id int64) (Record, error) {
	return s.decide(ctx, who, id, "confirm", "")
}

// Return sends a pending record back with the reason; the member enters a better one if they wish.
func (s *Service) Return(ctx context.Context, who access.Principal, id int64, reason string) (Record, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Record{}, err
	}
	return s.decide(ctx, who, id, "return", reason)
}

func (s *Service) decide(ctx context.Context, who access.Principal, id int64, kind, reason string) (Record, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := s.record(ctx, tx, who, id, " FOR UPDATE OF r")
		if err != nil {
			return err
		}
		if !confirms(who, r.place) {
			return apperr.New(apperr.Forbidden, "records are confirmed or returned by the lane chief of the member's community, never by the member")
		}
		if who.UserID != 0 && who.UserID == r.enteredByUser {
			return apperr.New(apperr.Forbidden, "you entered record %d: another person of the community confirms or returns it", id)
		}
		if r.Status != Pending {
			return apperr.New(apperr.Conflict, "record %d is %s already", id, r.Status)
		}
		_, err = tx.Exec(ctx, `INSERT INTO duty_record_event (record_id, kind, reason, by_label, by_user_id, at) VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6)`,
			id, kind, reason, who.Label(), who.UserID, s.now())
		return translate(err, "the decision on this record")
	})
	if err != nil {
		return Record{}, err
	}
	return s.Record(ctx, access.System("duties"), id)
}

// Void voids a record with the reason; it stays on record and counts for nothing. The community
// (lane chief or admin) voids any; a member only their own pending ones.
func (s *Service) Void(ctx context.Context, who access.Principal, id int64, reason string) (Record, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Record{}, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := s.record(ctx, tx, who, id, " FOR UPDATE OF r")
		if err != nil {
			return err
		}
		own := who.Role == access.Participant && enters(who, r.place) && r.Status == Pending
		if !own && !(confirms(who, r.place) || who.Role == access.Admin) {
			return apperr.New(apperr.Forbidden, "a record is voided by its community, or by the member while it is pending")
		}
		if r.Status == Voided {
			return apperr.New(apperr.Conflict, "record %d is voided already", id)
		}
		_, err = tx.Exec(ctx, `INSERT INTO duty_record_event (record_id, kind, reason, by_label, by_user_id, at) VALUES ($1, 'void', $2, $3, NULLIF($4, 0), $5)`,
			id, reason, who.Label(), who.UserID, s.now())
		return translate(err, "the void of this record")
	})
	if err != nil {
		return Record{}, err
	}
	return s.Record(ctx, access.System("duties"), id)
}
