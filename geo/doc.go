// Package geo is streetchief's pure geometry: an immutable R-tree index of
// prepared polygons answering "which areas cover this point?", exact
// point-in-polygon with PostGIS ST_Covers semantics, Chinese coordinate
// systems (WGS-84 / GCJ-02 / BD-09) and metric distances. It imports only
// orb, tidwall/rtree and the standard library; never anything in internal/.
package geo
