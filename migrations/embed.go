// Package migrations holds the database schema as numbered SQL files, embedded in the binary and applied
// in order by internal/database. A file, once released, is never edited: changes go into a new file.
package migrations

import "embed"

// Files are the migration scripts, named NNNN_description.sql.
//
//go:embed *.sql
var Files embed.FS
