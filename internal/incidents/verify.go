package incidents

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Outcomes of a check of a resolved incident (核查).
const (
	Confirmed = "confirmed" // the problem is gone: the incident closes
	Failed    = "failed"    // it is not: the incident reopens, and counts as rework (返工)
)

// verifierRoles may check a resolved incident in their scope; the people who work cases on the spot
// (lane chiefs, department liaisons) may not check their own kind of work.
var verifierRoles = []access.Role{access.Inspector, access.StreetChief, access.DistrictLeader, access.Admin}

// VerificationInput is a check of a resolved incident: by a verifier signed in, or by the reporter with
// the token of their receipt.
type VerificationInput struct {
	Outcome string
	Note    string
	Photos  []Photo
	Token   string
}

// newVerifyToken is the reporter's link to confirm or dispute: 128 random bits, kept only as a hash.
func newVerifyToken() (token string, hash []byte, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("verification token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, h[:], nil
}

// resolver is who resolved an incident, for the rule that nobody closes their own work.
type resolver struct{ userID, personID int64 }

func resolvedBy(ctx context.Context, tx pgx.Tx, id int64) (resolver, error) {
	var r resolver
	err := tx.QueryRow(ctx, `SELECT COALESCE(resolved_by_user_id, 0), COALESCE(resolved_by_person_id, 0) FROM incident WHERE id = $1`, id).
		Scan(&r.userID, &r.personID)
	return r, err
}

// mayVerify is the staff rule: a verifier's role, in scope (the caller already sees the incident, and a
// street chief must have its subdistrict), and not the one who resolved it.
func mayVerify(ctx context.Context, tx pgx.Tx, who access.Principal, cur Incident) error {
	if !slices.Contains(verifierRoles, who.Role) || (who.Role == access.StreetChief && actorOf(who, cur) != chief) {
		return apperr.New(apperr.Forbidden, "your role (%s) may not verify incident %d: an inspector, the street chief, a district leader or an administrator checks it", who.Role, cur.ID)
	}
	r, err := resolvedBy(ctx, tx, cur.ID)
	if err != nil {
		return err
	}
	if (r.userID != 0 && r.userID == who.UserID) || (r.personID != 0 && r.personID == who.PersonID) {
		return apperr.New(apperr.Forbidden, "you resolved incident %d: someone else must verify and close it", cur.ID)
	}
	return nil
}

// Verify records a check of a resolved incident and closes it (confirmed) or reopens it (failed, with
// the reason in the note). With a token it is the reporter's check, and the answer carries only the id
// and status; a wrong token writes nothing.
func (s *Service) Verify(ctx context.Context, who access.Principal, id int64, in VerificationInput) (Incident, error) {
	if in.Outcome != Confirmed && in.Outcome != Failed {
		return Incident{}, apperr.New(apperr.Invalid, "outcome %q is not confirmed or failed", in.Outcome).With("field", "outcome")
	}
	if err := checkNote(in.Note); err != nil {
		return Incident{}, err
	}
	note := strings.TrimSpace(in.Note)
	if in.Outcome == Failed && note == "" {
		return Incident{}, apperr.New(apperr.Invalid, "say what is still wrong (note)").With("field", "note")
	}
	if len(in.Photos) > MaxPhotos {
		return Incident{}, apperr.New(apperr.TooLarge, "at most %d photos", MaxPhotos)
	}
	reporter := !who.SignedIn() || in.Token != ""
	var status Status
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM incident WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		var cur Incident
		var err error
		by := string(who.Role)
		if reporter {
			cur, err = s.byToken(ctx, tx, id, in.Token)
			by = "reporter"
		} else {
			cur, err = s.visible(ctx, tx, who, id)
		}
		if err != nil {
			return err
		}
		if cur.Status != Resolved {
			return apperr.New(apperr.Conflict, "incident %d is %s; only a resolved incident is verified", id, cur.Status).With("status", cur.Status)
		}
		if !reporter {
			if err := mayVerify(ctx, tx, who, cur); err != nil {
				return err
			}
		}
		cat, err := category(ctx, tx, cur.Category)
		if err != nil {
			return err
		}
		if !reporter && cat.AfterPhotoRequired && len(in.Photos) == 0 {
			return apperr.New(apperr.Invalid, "category %s asks for a photo from the spot with the check", cat.Code).With("field", "photos")
		}
		status = Closed
		if in.Outcome == Failed {
			status = Reopened
		}
		now := s.now()
		vid, err := addEvent(ctx, tx, who, event{incident: id, at: now, kind: "verification", note: note,
			params: map[string]any{"outcome": in.Outcome, "by": by}})
		if err != nil {
			return err
		}
		if err := s.attachPhotos(ctx, tx, id, vid, in.Photos); err != nil {
			return err
		}
		if err := moveAfterCheck(ctx, tx, who, cur, status, cat.Due(status, now), now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Transition, "incident", id, map[string]any{"status": cur.Status},
			map[string]any{"status": status, "verification": in.Outcome, "by": by, "note": note})
	})
	if err != nil {
		return Incident{}, err
	}
	if reporter {
		return Incident{ID: id, Status: status}, nil
	}
	return s.Incident(ctx, who, id)
}

// moveAfterCheck is the transition a check makes, as its own event, so that rework is counted as every
// other move to reopened from resolved.
func moveAfterCheck(ctx context.Context, tx pgx.Tx, who access.Principal, cur Incident, to Status, due *time.Time, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE incident SET status = $2, due_at = $3, updated_at = $4 WHERE id = $1`, cur.ID, to, due, now); err != nil {
		return err
	}
	_, err := addEvent(ctx, tx, who, event{incident: cur.ID, at: now, kind: "transition", from: cur.Status, to: to,
		assignee: cur.AssigneePersonID})
	return err
}

// byToken reads an incident for its reporter: the token must be the one of its receipt. Every wrong
// token, and an incident without one, is the same refusal.
func (s *Service) byToken(ctx context.Context, tx pgx.Tx, id int64, token string) (Incident, error) {
	var hash []byte
	var cur Incident
	err := tx.QueryRow(ctx, `SELECT id, status, category, COALESCE(assignee_person_id, 0), verify_token_sha256 FROM incident WHERE id = $1`, id).
		Scan(&cur.ID, &cur.Status, &cur.Category, &cur.AssigneePersonID, &hash)
	if err == pgx.ErrNoRows {
		return cur, apperr.New(apperr.NotFound, "incident %d not found", id)
	}
	if err != nil {
		return cur, err
	}
	ok, err := reporterKeyMatches(ctx, tx, id, hash, token)
	if err != nil {
		return cur, err
	}
	if !ok {
		return Incident{}, apperr.New(apperr.Forbidden, "the verification token does not match incident %d", id).With("field", "token")
	}
	return cur, nil
}
