package geo

import "math"

// orient returns the sign of the exact orientation of c relative to the
// directed line a→b: +1 left (counter-clockwise), -1 right, 0 collinear.
// The answer is exact for all finite float64 inputs short of underflow, so
// two polygons sharing an edge always agree on whether a point lies on it,
// whatever direction each walks the edge. Shewchuk's filter decides almost
// every call with plain float64; the rest fall back to an exact expansion.
func orient(a, b, c [2]float64) int {
	// Explicit float64 conversions forbid FMA fusion, which the error bound
	// below does not account for.
	detLeft := float64((a[0] - c[0]) * (b[1] - c[1]))
	detRight := float64((a[1] - c[1]) * (b[0] - c[0]))
	det := detLeft - detRight
	var detSum float64
	switch {
	case detLeft > 0:
		if detRight <= 0 {
			return sign(det)
		}
		detSum = detLeft + detRight
	case detLeft < 0:
		if detRight >= 0 {
			return sign(det)
		}
		detSum = -detLeft - detRight
	default:
		return sign(det)
	}
	if math.Abs(det) >= ccwErrBoundA*detSum {
		return sign(det)
	}
	return orientExact(a, b, c)
}

// ccwErrBoundA is Shewchuk's bound for the first-stage orient2d filter.
const ccwErrBoundA = (3.0 + 16.0*epsilon) * epsilon

const epsilon = 1.0 / (1 << 53)

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// orientExact expands the determinant into six products of input
// coordinates (no rounded differences), splits each product exactly with
// FMA and sums the twelve parts as a non-overlapping expansion, whose sign
// is that of its largest non-zero component.
func orientExact(a, b, c [2]float64) int {
	var terms [6][2]float64
	terms[0] = [2]float64{a[0], b[1]}
	terms[1] = [2]float64{-a[1], b[0]}
	terms[2] = [2]float64{b[0], c[1]}
	terms[3] = [2]float64{-b[1], c[0]}
	terms[4] = [2]float64{c[0], a[1]}
	terms[5] = [2]float64{-c[1], a[0]}

	var e [13]float64
	n := 0
	for _, t := range terms {
		p := float64(t[0] * t[1])
		err := math.FMA(t[0], t[1], -p)
		n = growExpansion(&e, n, err)
		n = growExpansion(&e, n, p)
	}
	for i := n - 1; i >= 0; i-- {
		if e[i] != 0 {
			return sign(e[i])
		}
	}
	return 0
}

// growExpansion adds b to the expansion e[:n] in place, dropping zero
// components (Shewchuk's GROW-EXPANSION-ZEROELIM).
func growExpansion(e *[13]float64, n int, b float64) int {
	q := b
	m := 0
	for i := 0; i < n; i++ {
		var h float64
		q, h = twoSum(q, e[i])
		if h != 0 {
			e[m] = h
			m++
		}
	}
	if q != 0 || m == 0 {
		e[m] = q
		m++
	}
	return m
}

func twoSum(a, b float64) (sum, err float64) {
	sum = a + b
	bv := sum - a
	av := sum - bv
	return sum, (a - av) + (b - bv)
}
