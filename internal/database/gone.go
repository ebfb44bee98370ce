package database

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
)

// Gone recognises a database that went away under a statement, or could not be reached: every
// shape pgx v5 and pgxpool give a lost connection, however deeply the services wrapped it.
//
//   - The server said so before it closed the connection: SQLSTATE class 08 (connection exception)
//     or class 57 (operator intervention: 57P01 admin_shutdown, as pg_terminate_backend sends,
//     57P02 crash_shutdown, 57P03 cannot_connect_now, 57P05 idle_session_timeout, 57014 query_canceled).
//     08P01 protocol_violation is not among them: the server refused the bytes we sent, a bug.
//   - The server vanished without a word (SIGKILL, a node lost): pgx turns the socket's EOF into
//     io.ErrUnexpectedEOF (pgproto3 never returns a bare io.EOF, which stays a reader's end of
//     input); a reset or a failed write is a net.Error.
//   - The connection had died earlier in the same exchange (a failover met at COMMIT):
//     pgconn.ErrConnClosed, also under the "conn closed" lock error of a connection torn down.
//   - No connection could be made (a port where nothing listens, a server starting up, too many
//     clients): *pgconn.ConnectError, whatever it wraps; a pool closed under the request as the
//     server stops: puddle.ErrClosedPool; a read deadline: pgconn.Timeout, context.DeadlineExceeded.
//
// pgconn.SafeToRetry is not used: it is also true of "conn busy" (two users of one connection) and
// of a message pgx could not encode (more than 65,535 parameters), which are bugs, not a lost database.
func Gone(err error) bool {
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true // before its PgError, which may be 53300 too_many_connections or 57P03
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return goneSQLState(pgErr.Code)
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, puddle.ErrClosedPool) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)
}

func goneSQLState(code string) bool {
	return (strings.HasPrefix(code, "08") && code != "08P01") || strings.HasPrefix(code, "57")
}
