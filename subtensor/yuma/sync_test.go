package yuma

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// sharedFixtures locates shared/fixtures/yuma: $GOTENSOR_SHARED if set, else
// ../shared beside the module root (the repository layout CI uses).
func sharedFixtures(t *testing.T) string {
	t.Helper()
	if s := os.Getenv("GOTENSOR_SHARED"); s != "" {
		return filepath.Join(s, "fixtures", "yuma")
	}
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "fixtures", "yuma")
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "module root not found")
		dir = parent
	}
}

// The vectors are copied into testdata/ so the tests never depend on paths;
// this keeps the copies identical to the shared originals.
func TestTestdataMatchesSharedFixtures(t *testing.T) {
	root := sharedFixtures(t)
	for _, sub := range []string{"", "math"} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		require.NoError(t, err, "shared fixtures are part of the environment (set GOTENSOR_SHARED)")
		n := 0
		for _, e := range entries {
			if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
				continue
			}
			want, err := os.ReadFile(filepath.Join(root, sub, e.Name()))
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join("testdata", sub, e.Name()))
			require.NoError(t, err, "testdata is missing %s", filepath.Join(sub, e.Name()))
			require.True(t, bytes.Equal(want, got), "testdata/%s differs from the shared fixture", filepath.Join(sub, e.Name()))
			n++
		}
		require.Positive(t, n)
	}
}
