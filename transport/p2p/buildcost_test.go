package p2p

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBuildCost measures what importing this package costs a program:
// build time with a cold build cache and binary size, for a tiny miner
// (axon + dendrite) with and without transport/p2p. It builds from
// scratch twice (minutes on 2 cores), so it runs only when
// GOTENSOR_P2P_BUILDCOST=1; the figures are logged (go test -v).
func TestBuildCost(t *testing.T) {
	if os.Getenv("GOTENSOR_P2P_BUILDCOST") != "1" {
		t.Skip("opt-in measurement: set GOTENSOR_P2P_BUILDCOST=1")
	}
	_, file, _, _ := runtime.Caller(0)
	repo, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	require.NoError(t, err)

	const base = `package main

import (
	"fmt"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/wallet"
	%s
)

func main() {
	kp, err := wallet.KeypairFromURI("//Alice")
	if err != nil {
		panic(err)
	}
	a := axon.New(kp)
	d := dendrite.New(kp)
	defer d.Close()
	fmt.Println(a.Hotkey(), d.Hotkey())
	%s
}
`
	programs := []struct{ name, imp, use string }{
		{"without", "", ""},
		{"with", `"github.com/gotensor/gotensor/transport/p2p"`, `h, err := p2p.New(kp); if err == nil { defer h.Close(); fmt.Println(h.ID()) }`},
	}
	sizes := map[string]int64{}
	times := map[string]time.Duration{}
	for _, p := range programs {
		dir := t.TempDir()
		gosum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
		require.NoError(t, err)
		// The module itself, renamed, so that the program builds against
		// this checkout with its exact dependency versions.
		mod := "module buildcost\n\nrequire github.com/gotensor/gotensor v0.0.0\n\nreplace github.com/gotensor/gotensor => " + repo + "\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644))
		src := []byte(sprintf(base, p.imp, p.use))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644))
		cache := t.TempDir()
		env := append(os.Environ(), "GOCACHE="+cache, "GOFLAGS=-mod=mod")
		tidy := exec.Command(goTool(), "mod", "tidy")
		tidy.Dir, tidy.Env = dir, env
		out, err := tidy.CombinedOutput()
		require.NoError(t, err, "%s", out)
		bin := filepath.Join(dir, "prog")
		build := exec.Command(goTool(), "build", "-o", bin, ".")
		build.Dir, build.Env = dir, env
		start := time.Now()
		out, err = build.CombinedOutput()
		times[p.name] = time.Since(start)
		require.NoError(t, err, "%s", out)
		st, err := os.Stat(bin)
		require.NoError(t, err)
		sizes[p.name] = st.Size()
		t.Logf("%-7s p2p: cold build %v, binary %.1f MiB", p.name, times[p.name].Round(time.Second), float64(st.Size())/(1<<20))
	}
	t.Logf("importing transport/p2p: build time ×%.1f, binary +%.1f MiB (×%.1f)",
		times["with"].Seconds()/times["without"].Seconds(),
		float64(sizes["with"]-sizes["without"])/(1<<20), float64(sizes["with"])/float64(sizes["without"]))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
