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
	sub, rest := args[0], args[1:]
	switch sub {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, userUsage)
		return nil
	}
	run, ok := userSubcommands[sub]
	if !ok {
		fmt.Fprint(stdout, userUsage)
		return fmt.Errorf("user: unknown subcommand %q", sub)
	}
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return run(ctx, userCLI{svc: auth.NewService(pool, auth.Options{}), who: access.System("cli"), out: stdout, sub: sub}, fs, rest)
}

// userCLI is what every user subcommand works with.
type userCLI struct {
	svc *auth.Service
	who access.Principal
	out io.Writer
	sub string
}

var userSubcommands = map[string]func(context.Context, userCLI, *flag.FlagSet, []string) error{
	"add":     userAdd,
	"passwd":  userPasswd,
	"role":    userRole,
	"token":   userToken,
	"disable": userEnableDisable,
	"enable":  userEnableDisable,
	"list":    userList,
}

func userAdd(ctx context.Context, c userCLI, fs *flag.FlagSet, args []string) error {
	role := fs.String("role", "", "role of the account (required)")
	person := fs.Int64("person", 0, "id of the person the account stands for")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	name, err := positional(fs, args, 1)
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
	u, err := c.svc.AddUser(ctx, c.who, auth.UserInput{Username: name[0], Password: password, Role: r, PersonID: *person})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "added user %s (id %d, %s)\n", u.Username, u.ID, u.Role)
	if generated {
		fmt.Fprintf(c.out, "password (shown once): %s\n", password)
	}
	return nil
}

func userPasswd(ctx context.Context, c userCLI, fs *flag.FlagSet, args []string) error {
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	u, err := c.oneUser(ctx, fs, args)
	if err != nil {
		return err
	}
	password, generated, err := obtainPassword(*fromStdin)
	if err != nil {
		return err
	}
	if _, err := c.svc.SetPassword(ctx, c.who, u.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "password of %s changed; their sessions have ended\n", u.Username)
	if generated {
		fmt.Fprintf(c.out, "password (shown once): %s\n", password)
	}
	return nil
}

func userRole(ctx context.Context, c userCLI, fs *flag.FlagSet, args []string) error {
	words, err := positional(fs, args, 2)
	if err != nil {
		return err
	}
	r, err := access.ParseRole(words[1])
	if err != nil {
		return err
	}
	u, err := c.svc.UserByName(ctx, c.who, words[0])
	if err != nil {
		return err
	}
	if u, err = c.svc.SetRole(ctx, c.who, u.ID, r); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s is now %s\n", u.Username, u.Role)
	return nil
}

func userToken(ctx context.Context, c userCLI, fs *flag.FlagSet, args []string) error {
	tokenName := fs.String("name", "cli", "what the token is for")
	ttl := fs.Duration("ttl", 720*time.Hour, "how long the token lives")
	u, err := c.oneUser(ctx, fs, args)
	if err != nil {
		return err
	}
	secret, t, err := c.svc.IssueToken(ctx, c.who, u.ID, *tokenName, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "token %d for %s, expires %s; shown once:\n%s\n", t.ID, u.Username, t.ExpiresAt.Format(time.RFC3339), secret)
	return nil
}

func userEnableDisable(ctx context.Context, c userCLI, fs *flag.FlagSet, args []string) error {
	u, err := c.oneUser(ctx, fs, args)
	if err != nil {
		return err
	}
	if c.sub == "disable" {
		_, err = c.svc.Disable(ctx, c.who, u.ID)
	} else {
		_, err = c.svc.Enable(ctx, c.who, u.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s %sd\n", u.Username, c.sub)
	return nil
}

func userList(ctx context.Context, c userCLI, fs *flag.FlagSet, args []string) error {
	if _, err := positional(fs, args, 0); err != nil {
		return err
	}
	users, err := c.svc.Users(ctx, c.who)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tPERSON\tDISABLED")
	for _, u := range users {
		person := "-"
		if u.PersonID != 0 {
			person = fmt.Sprintf("%d %s", u.PersonID, u.PersonName)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%t\n", u.ID, u.Username, u.Role, person, u.Disabled)
	}
	return tw.Flush()
}

// oneUser reads the one positional argument, a username, and finds its account.
func (c userCLI) oneUser(ctx context.Context, fs *flag.FlagSet, args []string) (auth.User, error) {
	name, err := positional(fs, args, 1)
	if err != nil {
		return auth.User{}, err
	}
	return c.svc.UserByName(ctx, c.who, name[0])
}

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
