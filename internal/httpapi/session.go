package httpapi

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/auth"
)

type scopeJSON struct {
	All          bool    `json:"all"`
	Subdistricts []int64 `json:"subdistricts"`
	Communities  []int64 `json:"communities"`
	Departments  []int64 `json:"departments"`
}

type principalJSON struct {
	ID       int64       `json:"id"`
	Username string      `json:"username"`
	Role     access.Role `json:"role"`
	PersonID int64       `json:"person_id,omitempty"`
	TokenID  int64       `json:"token_id,omitempty"`
	Scope    scopeJSON   `json:"scope"`
}

func principalOut(p access.Principal) principalJSON {
	nonNil := func(v []int64) []int64 {
		if v == nil {
			return []int64{}
		}
		return v
	}
	return principalJSON{ID: p.UserID, Username: p.Username, Role: p.Role, PersonID: p.PersonID, TokenID: p.TokenID,
		Scope: scopeJSON{All: p.Scope.All, Subdistricts: nonNil(p.Scope.Subdistricts),
			Communities: nonNil(p.Scope.Communities), Departments: nonNil(p.Scope.Departments)}}
}

// clientAddress keys the per-address limit: the client's address (client_address.go), with an IPv6
// address taken as its /64, which one subscriber usually holds whole.
func (s *Server) clientAddress(r *http.Request) string {
	return httprate.CanonicalizeIP(s.clientHost(r))
}

// signIn hands the attempt to auth, which throttles failures by username and address; the address
// is the client's as clientHost tells it.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	sess, err := s.Auth.SignIn(r.Context(), auth.SignInRequest{Username: in.Username, Password: in.Password,
		Address: s.clientHost(r), Device: auth.DeviceToken(r), RequestID: requestIDOf(r)})
	if err != nil {
		return err
	}
	http.SetCookie(w, s.Auth.SessionCookie(r, sess))
	http.SetCookie(w, s.Auth.DeviceCookie(r, sess))
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, "", map[string]any{"user": principalOut(sess.Principal),
		"csrf_token": sess.CSRF, "expires_at": sess.ExpiresAt})
}

func (s *Server) whoAmI(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	w.Header().Set("Cache-Control", "no-store")
	if !p.SignedIn() {
		// reporter_channels: how a citizen who leaves a contact with a report can hear of it here.
		return writeJSON(w, http.StatusOK, "", map[string]any{"signed_in": false, "user": nil,
			"reporter_channels": s.Notify.Channels()})
	}
	out := map[string]any{"signed_in": true, "user": principalOut(p)}
	if p.TokenID == 0 {
		csrf, err := s.Auth.CSRFToken(r)
		if err != nil {
			return err
		}
		out["csrf_token"] = csrf
	}
	return writeJSON(w, http.StatusOK, "", out)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if principal(r).TokenID == 0 {
		if err := s.Auth.SignOut(r.Context(), auth.SessionToken(r)); err != nil {
			return err
		}
	}
	http.SetCookie(w, s.Auth.ClearedCookie(r))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.Auth.Users(r.Context(), principal(r))
	if err != nil {
		return err
	}
	if users == nil {
		users = []auth.User{}
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"users": users})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Role     string `json:"role"`
		PersonID int64  `json:"person_id"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.Auth.AddUser(r.Context(), principal(r), auth.UserInput{Username: in.Username, Password: in.Password,
		Role: access.Role(in.Role), PersonID: in.PersonID})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, "", u)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Role     *access.Role `json:"role"`
		PersonID *int64       `json:"person_id"`
		Password *string      `json:"password"`
		Disabled *bool        `json:"disabled"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Role == nil && in.PersonID == nil && in.Password == nil && in.Disabled == nil {
		return apperr.New(apperr.Invalid, "nothing to change: give role, person_id, password or disabled")
	}
	u, err := s.Auth.UpdateUser(r.Context(), principal(r), id,
		auth.UserPatch{Role: in.Role, PersonID: in.PersonID, Password: in.Password, Disabled: in.Disabled})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", u)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	userID := q.int64("user_id")
	if q.err != nil {
		return q.err
	}
	tokens, err := s.Auth.Tokens(r.Context(), principal(r), userID)
	if err != nil {
		return err
	}
	if tokens == nil {
		tokens = []auth.Token{}
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"tokens": tokens})
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   string `json:"name"`
		TTL    string `json:"ttl"`
		UserID int64  `json:"user_id"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	ttl := 30 * 24 * time.Hour
	if in.TTL != "" {
		d, err := time.ParseDuration(in.TTL)
		if err != nil {
			return apperr.New(apperr.Malformed, "ttl %q is not a duration such as 720h", in.TTL)
		}
		ttl = d
	}
	who := principal(r)
	if in.UserID == 0 {
		in.UserID = who.UserID
	}
	secret, t, err := s.Auth.IssueToken(r.Context(), who, in.UserID, in.Name, ttl)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, "", map[string]any{"token": secret, "info": t})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Auth.RevokeToken(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var auditTargetType = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// parseAuditTarget reads target=type:id, e.g. area:123.
func parseAuditTarget(raw string) (string, int64, error) {
	if raw == "" {
		return "", 0, nil
	}
	typ, idText, ok := strings.Cut(raw, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || !auditTargetType.MatchString(typ) || err != nil || id <= 0 {
		return "", 0, apperr.New(apperr.Malformed, "query parameter target: %q is not type:id, such as area:123", raw)
	}
	return typ, id, nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	typ, id, err := parseAuditTarget(r.URL.Query().Get("target"))
	if err != nil {
		return err
	}
	q := &query{r: r}
	f := audit.Filter{TargetType: typ, TargetID: id, Before: q.int64("before"), Limit: int(q.int64("limit"))}
	if q.err != nil {
		return q.err
	}
	entries, err := audit.List(r.Context(), s.DB, f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"entries": entries})
}
