package auth

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// User is an account. The password hash never leaves this package.
type User struct {
	ID                int64       `json:"id"`
	Username          string      `json:"username"`
	Role              access.Role `json:"role"`
	PersonID          int64       `json:"person_id,omitempty"`
	PersonName        string      `json:"person_name,omitempty"`
	Disabled          bool        `json:"disabled"`
	CreatedAt         time.Time   `json:"created_at"`
	UpdatedAt         time.Time   `json:"updated_at"`
	PasswordChangedAt time.Time   `json:"password_changed_at"`
}

// UserInput creates an account. PersonID links it to the person whose assignments give a street
// chief, lane chief or department liaison their scope; those roles require one.
type UserInput struct {
	Username string
	Password string
	Role     access.Role
	PersonID int64
}

// UserPatch changes an account; nil fields stay as they are. PersonID 0 unlinks the person.
type UserPatch struct {
	Role     *access.Role
	PersonID *int64
	Password *string
	Disabled *bool
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

func checkUsername(u string) error {
	if !usernamePattern.MatchString(u) {
		return apperr.New(apperr.Invalid, "username %q must be 2-63 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", u)
	}
	return nil
}

// rolesWithPerson are the roles whose scope is read from a person's assignments.
var rolesWithPerson = []access.Role{access.StreetChief, access.LaneChief, access.DepartmentLiaison}

func checkRolePerson(role access.Role, personID int64) error {
	if _, err := access.ParseRole(string(role)); err != nil {
		return apperr.New(apperr.Invalid, "%v", err)
	}
	if personID == 0 && slices.Contains(rolesWithPerson, role) {
		return apperr.New(apperr.Invalid, "a %s account must be linked to a person (person_id): their assignments are their scope", role)
	}
	return nil
}

func requireAdmin(who access.Principal) error {
	if !who.SignedIn() {
		return apperr.New(apperr.Unauthorized, "sign in first")
	}
	if who.Role != access.Admin {
		return apperr.New(apperr.Forbidden, "only an administrator may manage accounts")
	}
	return nil
}

const userColumns = `u.id, u.username, u.role, COALESCE(u.person_id, 0), COALESCE(p.name, ''), u.disabled,
	u.created_at, u.updated_at, u.password_changed_at`

const userFrom = `FROM app_user u LEFT JOIN person_directory p ON p.id = u.person_id`

func scanUser(row pgx.Row) (User, error) {
	var u User
	var role string
	err := row.Scan(&u.ID, &u.Username, &role, &u.PersonID, &u.PersonName, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.PasswordChangedAt)
	u.Role = access.Role(role)
	return u, err
}

// AddUser creates an account (administrators only).
func (s *Service) AddUser(ctx context.Context, who access.Principal, in UserInput) (User, error) {
	if err := requireAdmin(who); err != nil {
		return User{}, err
	}
	in.Username = normaliseUsername(in.Username)
	if err := checkUsername(in.Username); err != nil {
		return User{}, err
	}
	if err := checkRolePerson(in.Role, in.PersonID); err != nil {
		return User{}, err
	}
	if err := checkPassword(in.Password); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	return s.insertUser(ctx, who, in, hash)
}

func (s *Service) insertUser(ctx context.Context, who access.Principal, in UserInput, hash string) (User, error) {
	var u User
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO app_user (username, person_id, role, password_hash, created_at, updated_at, password_changed_at)
			VALUES ($1, NULLIF($2::bigint, 0), $3, $4, $5, $5, $5) RETURNING id`, in.Username, in.PersonID, string(in.Role), hash, now).Scan(&id)
		if err != nil {
			return translate(err, "user "+in.Username)
		}
		if u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` `+userFrom+` WHERE u.id = $1`, id)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "user", id, nil, u)
	})
	return u, err
}

// Users lists every account (administrators only).
func (s *Service) Users(ctx context.Context, who access.Principal) ([]User, error) {
	if err := requireAdmin(who); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+userColumns+` `+userFrom+` ORDER BY u.username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// UserByName finds an account by username: administrators any, others only their own.
func (s *Service) UserByName(ctx context.Context, who access.Principal, username string) (User, error) {
	username = normaliseUsername(username)
	if who.Role != access.Admin && (!who.SignedIn() || who.Username != username) {
		return User{}, apperr.New(apperr.NotFound, "user %q not found", username)
	}
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` `+userFrom+` WHERE u.username = $1`, username))
	if err != nil {
		return User{}, translate(err, fmt.Sprintf("user %q", username))
	}
	return u, nil
}

// SetPassword replaces a user's password and ends their sessions (administrators only).
func (s *Service) SetPassword(ctx context.Context, who access.Principal, userID int64, password string) (User, error) {
	return s.UpdateUser(ctx, who, userID, UserPatch{Password: &password})
}

// SetRole changes a user's role (administrators only).
func (s *Service) SetRole(ctx context.Context, who access.Principal, userID int64, role access.Role) (User, error) {
	return s.UpdateUser(ctx, who, userID, UserPatch{Role: &role})
}

// Disable locks a user out at once: their sessions end and their tokens stop working (administrators
// only). The last enabled administrator cannot be disabled.
func (s *Service) Disable(ctx context.Context, who access.Principal, userID int64) (User, error) {
	yes := true
	return s.UpdateUser(ctx, who, userID, UserPatch{Disabled: &yes})
}

// Enable lets a disabled user sign in again; their unexpired, unrevoked tokens work again too.
func (s *Service) Enable(ctx context.Context, who access.Principal, userID int64) (User, error) {
	no := false
	return s.UpdateUser(ctx, who, userID, UserPatch{Disabled: &no})
}

// UpdateUser applies a patch in one transaction, audited (administrators only). A new password or
// disabling ends the user's sessions. The last enabled administrator keeps that role.
func (s *Service) UpdateUser(ctx context.Context, who access.Principal, userID int64, patch UserPatch) (User, error) {
	if err := requireAdmin(who); err != nil {
		return User{}, err
	}
	if patch.Role != nil {
		if _, err := access.ParseRole(string(*patch.Role)); err != nil {
			return User{}, apperr.New(apperr.Invalid, "%v", err)
		}
	}
	var hash *string
	if patch.Password != nil {
		if err := checkPassword(*patch.Password); err != nil {
			return User{}, err
		}
		h, err := s.hash(ctx, *patch.Password)
		if err != nil {
			return User{}, err
		}
		hash = &h
	}
	var after User
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` `+userFrom+` WHERE u.id = $1 FOR UPDATE OF u`, userID))
		if err != nil {
			return translate(err, fmt.Sprintf("user %d", userID))
		}
		role, personID, disabled := before.Role, before.PersonID, before.Disabled
		if patch.Role != nil {
			role = *patch.Role
		}
		if patch.PersonID != nil {
			personID = *patch.PersonID
		}
		if patch.Disabled != nil {
			disabled = *patch.Disabled
		}
		if patch.Role != nil || patch.PersonID != nil {
			if err := checkRolePerson(role, personID); err != nil {
				return err
			}
		}
		if before.Role == access.Admin && !before.Disabled && (role != access.Admin || disabled) {
			if err := keepOneAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE app_user SET role = $2, person_id = NULLIF($3::bigint, 0), disabled = $4,
			password_hash = COALESCE($5, password_hash),
			password_changed_at = CASE WHEN $5::text IS NULL THEN password_changed_at ELSE $6 END,
			updated_at = $6
			WHERE id = $1`, userID, string(role), personID, disabled, hash, now)
		if err != nil {
			return translate(err, fmt.Sprintf("user %d", userID))
		}
		if hash != nil || disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM user_session WHERE user_id = $1`, userID); err != nil {
				return fmt.Errorf("end sessions of user %d: %w", userID, err)
			}
		}
		if after, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` `+userFrom+` WHERE u.id = $1`, userID)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "user", userID, before, after)
	})
	return after, err
}

// keepOneAdmin refuses a change that would leave no enabled administrator. Locking every enabled
// administrator row makes two concurrent demotions wait for each other instead of both passing.
func keepOneAdmin(ctx context.Context, tx pgx.Tx, changing int64) error {
	rows, err := tx.Query(ctx, `SELECT id FROM app_user WHERE role = 'admin' AND NOT disabled FOR UPDATE`)
	if err != nil {
		return fmt.Errorf("count administrators: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("count administrators: %w", err)
	}
	if !slices.ContainsFunc(ids, func(id int64) bool { return id != changing }) {
		return apperr.New(apperr.Conflict, "this is the last enabled administrator; make another one first")
	}
	return nil
}
