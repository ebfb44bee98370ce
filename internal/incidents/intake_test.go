package incidents_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// tinyPNG is a real 2×2 PNG.
func tinyPNG(tb testing.TB, shade uint8) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, 2, 2))
	img.SetGray(0, 0, color.Gray{Y: shade})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestPhotosAreCheckedByContent(t *testing.T) {
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 20)...)
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	for _, tc := range []struct {
		name string
		b    []byte
		want apperr.Code
		ct   string
	}{
		{"png", tinyPNG(t, 1), "", "image/png"},
		{"webp by its RIFF magic", webp, "", "image/webp"},
		{"gif", gif, apperr.Invalid, ""},
		{"png header with garbage after", append(tinyPNG(t, 1)[:16], 0, 0, 0), apperr.Invalid, ""},
		{"html named .jpg", []byte("<html><script>alert(1)</script>"), apperr.Invalid, ""},
		{"empty", nil, apperr.Invalid, ""},
		{"over 5 MB", append(tinyPNG(t, 1), make([]byte, incidents.MaxPhotoBytes)...), apperr.TooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := incidents.CheckPhoto(1, tc.b)
			if apperr.Code(tc.want) == "" {
				if err != nil || p.ContentType != tc.ct {
					t.Fatalf("%v %q", err, p.ContentType)
				}
				return
			}
			if !apperr.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	if _, err := incidents.CheckPhotos(make([][]byte, incidents.MaxPhotos+1)); !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("7 photos: %v", err)
	}
	// A body of a million empty photos is refused at the seventh, not decoded whole first.
	many := `{"category":"sanitation","lon":117,"lat":25,"photos":[` + strings.Repeat(`"",`, 1_000_000) + `""]}`
	if _, err := incidents.DecodeIntakeJSON([]byte(many)); !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("a million photos: %v", err)
	}
}

func TestConcurrentRetriesWithOneKeyMakeOneIncident(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	lon, lat := w.inA()[0], w.inA()[1]
	in, err := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Description: "同一个"}.Intake([][]byte{tinyPNG(t, 9)})
	if err != nil {
		t.Fatal(err)
	}
	key := incidents.IdempotencyKey{Endpoint: "test", Key: fmt.Sprintf("k-%f", w.x0)}
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc, _, err := w.svc.Report(ctx, access.Anonymous("t"), in, key)
			if err != nil {
				t.Error(err)
			}
			ids[i] = rc.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("ids %v", ids)
		}
	}
	var n int
	if err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM incident WHERE description = '同一个'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d incidents (%v)", n, err)
	}
	lon2 := lon + 0.0001
	changed, err := incidents.IntakeFields{Category: "sanitation", Lon: &lon2, Lat: &lat}.Intake(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Report(ctx, access.Anonymous("t"), changed, key); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("same key, other report: %v", err)
	}
}

func TestUnknownCategoryIsRefused(t *testing.T) {
	w := newWorld(t)
	lon, lat := w.inA()[0], w.inA()[1]
	in, err := incidents.IntakeFields{Category: "graffiti", Lon: &lon, Lat: &lat}.Intake(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.Report(context.Background(), access.Anonymous("t"), in, incidents.IdempotencyKey{}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("got %v", err)
	}
}

func FuzzDecodeIntake(f *testing.F) {
	photo := base64.StdEncoding.EncodeToString(tinyPNG(f, 3))
	for _, seed := range []string{
		`{"category":"sanitation","lon":117.03,"lat":25.08,"description":"垃圾"}`,
		`{"category":"illegal_parking","lon":117.03,"lat":25.08,"crs":"gcj02"}`,
		`{"category":"street_occupying","lon":117.03,"lat":25.08,"crs":"bd09","photos":["` + photo + `"]}`,
		`{"category":"sanitation","lon":"117","lat":25}`,
		`{"category":"sanitation","lon":1e400,"lat":25}`,
		`{"category":"sanitation","lon":181,"lat":25}`,
		`{"category":"sanitation","lat":25}`,
		`{"category":"Sanitation!","lon":1,"lat":2}`,
		`{"category":"sanitation","lon":1,"lat":2,"extra":true}`,
		`{"category":"sanitation","lon":1,"lat":2,"photos":["!!!"]}`,
		`{"category":"sanitation","lon":1,"lat":2} {}`,
		`[]`, `null`, ``, `{"description":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := incidents.DecodeIntakeJSON(body)
		if err != nil {
			switch apperr.CodeOf(err) {
			case apperr.Malformed, apperr.Invalid, apperr.TooLarge:
				return
			}
			t.Fatalf("unexpected error kind: %v", err)
		}
		lon, lat := in.Point[0], in.Point[1]
		if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
			t.Fatalf("accepted position %v", in.Point)
		}
		if in.Category == "" || strings.ToLower(in.Category) != in.Category {
			t.Fatalf("accepted category %q", in.Category)
		}
		if !utf8.ValidString(in.Description) || utf8.RuneCountInString(in.Description) > incidents.MaxDescription {
			t.Fatalf("accepted description of %d bytes", len(in.Description))
		}
		if len(in.Photos) > incidents.MaxPhotos {
			t.Fatalf("accepted %d photos", len(in.Photos))
		}
		again, err := incidents.DecodeIntakeJSON(body)
		if err != nil || again.Digest() != in.Digest() {
			t.Fatal("decoding is not deterministic")
		}
	})
}

// A key is remembered for the window and then forgotten: the same retry after that is a new report.
func TestIdempotencyKeysAreForgottenAfterTheWindow(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	lon, lat := w.inA()[0], w.inA()[1]
	in, err := incidents.IntakeFields{Category: "sanitation", Lon: &lon, Lat: &lat, Description: "过期的键"}.Intake(nil)
	if err != nil {
		t.Fatal(err)
	}
	key := incidents.IdempotencyKey{Endpoint: "test", Key: fmt.Sprintf("expiring-%f", w.x0)}
	first, _, err := w.svc.Report(ctx, access.Anonymous("t"), in, key)
	if err != nil {
		t.Fatal(err)
	}
	remembered := func() bool {
		var n int
		if err := dbtest.Pool(t).QueryRow(ctx, `SELECT count(*) FROM incident_idempotency WHERE key = $1`, key.Key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if _, err := w.svc.ForgetIdempotencyKeys(ctx, w.clock.Add(incidents.IdempotencyWindow-time.Hour)); err != nil || !remembered() {
		t.Fatalf("forgotten within the window (%v)", err)
	}
	retry, replayed, err := w.svc.Report(ctx, access.Anonymous("t"), in, key)
	if err != nil || !replayed || retry.ID != first.ID {
		t.Fatalf("retry within the window: %v replayed=%v id %d, want %d", err, replayed, retry.ID, first.ID)
	}
	n, err := w.svc.ForgetIdempotencyKeys(ctx, w.clock.Add(2*time.Hour))
	if err != nil || n < 1 || remembered() {
		t.Fatalf("still remembered after the window: forgot %d (%v)", n, err)
	}
	late, replayed, err := w.svc.Report(ctx, access.Anonymous("t"), in, key)
	if err != nil || replayed || late.ID == first.ID {
		t.Fatalf("retry after the window: %v replayed=%v id %d", err, replayed, late.ID)
	}
}
