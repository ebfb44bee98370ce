// Package layers holds no code of its own: its tests keep ARCHITECTURE.md true. One fails when an
// import points up or sideways or when a package is missing from the layer table; the other when a
// package names in SQL a table another package owns, other than through the views its owner
// publishes, or when the table of owners and the migrations disagree.
package layers
