package lookup

import (
	"encoding/json"
	"testing"
)

// TestAppendJSONMatchesEncodingJSON compares the hand-written encoder with encoding/json on answers
// holding every field and awkward strings.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	chief := &Responsible{PersonID: 3, Name: "于志", Role: "street_chief", Phone: "139"}
	for name, a := range map[string]Answer{
		"empty":  {Lon: 117, Lat: 25.5},
		"vacant": {Lon: -0.000001, Lat: 1e-7, Community: &UnitHit{ID: 1, Name: "坑洲社区"}},
		"full": {Lon: 117.02391, Lat: 25.0812, Areas: []AreaHit{
			{ID: 9, Kind: "park", Name: "中山公园 <\"引号\"> & \\ \n\t\u2028 \x01", DistanceM: 12.25,
				Responsible: []Responsible{{PersonID: 4, Name: "A", Role: "area_manager"}, *chief}},
			{ID: 10, Kind: "river", Name: "龙津河\xff", Responsible: []Responsible{}},
		}, Community: &UnitHit{ID: 2, Name: "c", Chief: chief}, Subdistrict: &UnitHit{ID: 5, Name: "南城街道", Chief: chief, Posts: []Responsible{
			{PersonID: 7, Name: "挂", Role: "linked_leader", Level: "city", DepartmentID: 5, Department: "公安"},
			{PersonID: 8, Name: "副", Role: "department_leader", Level: "district", DepartmentID: 1, Department: "城管\"执法\"", Deputy: true, Phone: "138"},
		}}},
	} {
		t.Run(name, func(t *testing.T) {
			got := a.AppendJSON(nil)
			want, err := json.Marshal(reference(a))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

// reference is the answer's documented shape for encoding/json.
func reference(a Answer) any {
	type community struct {
		ID        int64        `json:"id"`
		Name      string       `json:"name"`
		LaneChief *Responsible `json:"lane_chief"`
	}
	type subdistrict struct {
		ID          int64         `json:"id"`
		Name        string        `json:"name"`
		StreetChief *Responsible  `json:"street_chief"`
		Posts       []Responsible `json:"posts,omitempty"`
	}
	out := struct {
		Lon         float64      `json:"lon"`
		Lat         float64      `json:"lat"`
		Areas       []AreaHit    `json:"areas"`
		Community   *community   `json:"community"`
		Subdistrict *subdistrict `json:"subdistrict"`
	}{Lon: a.Lon, Lat: a.Lat, Areas: a.Areas}
	if out.Areas == nil {
		out.Areas = []AreaHit{}
	}
	if c := a.Community; c != nil {
		out.Community = &community{c.ID, c.Name, c.Chief}
	}
	if s := a.Subdistrict; s != nil {
		out.Subdistrict = &subdistrict{s.ID, s.Name, s.Chief, s.Posts}
	}
	return out
}
