package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/auth"
)

const userUsage = `streetchief user — manage accounts and API tokens

  streetchief user add NAME --role ROLE [--person ID] [--password-stdin]
  streetchief user passwd NAME [--password-stdin]
  streetchief user role NAME ROLE
  streetchief user token NAME [--name N] [--ttl 720h]
  streetchief user disable NAME
  streetchief user enable NAME
  streetchief user list

Roles: admin, district_leader, street_chief, lane_chief, department_liaison, inspector, assessor.
Without --password-stdin a password is generated and printed once. Tokens are printed once.
A password needs at least 10 characters and must not be one of the most common passwords.
`

// userCommand runs the account subcommands as the operator (access.System("cli")); every change is
// audited under that name.
func userCommand(ctx context.Context, pool *pgxpool.Pool, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, userUsage)
		return errors.New("user: no subcommand given")
	}
	svc := auth.NewService(pool, auth.Options{})
	who := access.System("cli")
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)

	switch sub {
	case "add":
		role := fs.String("role", "", "role of the account (required)")
		person := fs.Int64("person", 0, "id of the person the account stands for")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		name, err := positional(fs, rest, 1)
		if err != nil {
			return err
		}
		r, err := access.ParseRole(*role)
		if err != nil {
			return err
		}
		password, generated, err := obtainPassword(*fromStdin)
		if err != nil {
			return err
		}
		u, err := svc.AddUser(ctx, who, auth.UserInput{Username: name[0], Password: password, Role: r, PersonID: *person})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added user %s (id %d, %s)\n", u.Username, u.ID, u.Role)
		if generated {
			fmt.Fprintf(stdout, "password (shown once): %s\n", password)
		}
		return nil

	case "passwd":
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
		name, err := positional(fs, rest, 1)
		if err != nil {
			return err
		}
		u, err := svc.UserByName(ctx, who, name[0])
		if err != nil {
			return err
		}
		password, generated, err := obtainPassword(*fromStdin)
		if err != nil {
			return err
		}
		if _, err := svc.SetPassword(ctx, who, u.ID, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions have ended\n", u.Username)
		if generated {
			fmt.Fprintf(stdout, "password (shown once): %s\n", password)
		}
		return nil

	case "role":
		words, err := positional(fs, rest, 2)
		if err != nil {
			return err
		}
		r, err := access.ParseRole(words[1])
		if err != nil {
			return err
		}
		u, err := svc.UserByName(ctx, who, words[0])
		if err != nil {
			return err
		}
		if u, err = svc.SetRole(ctx, who, u.ID, r); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s\n", u.Username, u.Role)
		return nil

	case "token":
		tokenName := fs.String("name", "cli", "what the token is for")
		ttl := fs.Duration("ttl", 720*time.Hour, "how long the token lives")
		name, err := positional(fs, rest, 1)
		if err != nil {
			return err
		}
		u, err := svc.UserByName(ctx, who, name[0])
		if err != nil {
			return err
		}
		secret, t, err := svc.IssueToken(ctx, who, u.ID, *tokenName, *ttl)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d for %s, expires %s; shown once:\n%s\n", t.ID, u.Username, t.ExpiresAt.Format(time.RFC3339), secret)
		return nil

	case "disable", "enable":
		name, err := positional(fs, rest, 1)
		if err != nil {
			return err
		}
		u, err := svc.UserByName(ctx, who, name[0])
		if err != nil {
			return err
		}
		if sub == "disable" {
			_, err = svc.Disable(ctx, who, u.ID)
		} else {
			_, err = svc.Enable(ctx, who, u.ID)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %sd\n", u.Username, sub)
		return nil

	case "list":
		if _, err := positional(fs, rest, 0); err != nil {
			return err
		}
		users, err := svc.Users(ctx, who)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tPERSON\tDISABLED")
		for _, u := range users {
			person := "-"
			if u.PersonID != 0 {
				person = fmt.Sprintf("%d %s", u.PersonID, u.PersonName)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%t\n", u.ID, u.Username, u.Role, person, u.Disabled)
		}
		return tw.Flush()

	case "help", "-h", "--help":
		fmt.Fprint(stdout, userUsage)
		return nil
	}
	fmt.Fprint(stdout, userUsage)
	return fmt.Errorf("user: unknown subcommand %q", sub)
}

// positional parses flags that may come before or after the positional words and checks that exactly
// want words were given.
func positional(fs *flag.FlagSet, args []string, want int) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, fmt.Errorf("%s: see streetchief user help", fs.Name())
			}
			return nil, fmt.Errorf("%s: %w", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		words = append(words, args[0])
		args = args[1:]
	}
	if len(words) != want {
		return nil, fmt.Errorf("%s: want %d argument(s), got %d (see streetchief user help)", fs.Name(), want, len(words))
	}
	return words, nil
}

// obtainPassword reads the password from stdin's first line, or generates one (which the caller
// then prints once).
func obtainPassword(fromStdin bool) (password string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", false, fmt.Errorf("read password from stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}
