package merchants_test

import (
	"testing"

	"streetchief/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
