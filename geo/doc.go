// Package geo is streetchief's pure geometry: an immutable index of prepared
// polygons (a uniform grid answers "which areas cover this point?", an
// R-tree answers Nearest), exact point-in-polygon with PostGIS ST_Covers
// semantics, Chinese coordinate systems (WGS-84 / GCJ-02 / BD-09) and metric
// distances. It imports only orb, tidwall/rtree and the standard library.
package geo
