// Package layers holds no code of its own: its test keeps the layer table in ARCHITECTURE.md true,
// failing when an import points up or sideways or when a package is missing from the table.
package layers
