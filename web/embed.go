// Package web holds the dashboard and the field app for phones: their sources under src/ and field/
// (plain ES modules, built by esbuild with `make web`) and the built files under dist/, embedded into
// the binary. It is a leaf: it imports nothing of streetchief, and only the HTTP layer imports it.
package web

import (
	"embed"
	"io/fs"
)

// dist is the built dashboard. A committed README.txt keeps the folder, so the binary builds (and
// serves a page asking for `make web`) before the front end has been built.
//
//go:embed all:dist
var dist embed.FS

// Assets is the built dashboard: index.html and assets/ with content-hashed names.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a constant, valid path
	}
	return sub
}
