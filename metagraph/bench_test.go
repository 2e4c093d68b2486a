package metagraph

import (
	"context"
	"testing"
)

func BenchmarkRefreshFake256Full(b *testing.B) {
	ctx := context.Background()
	f := denseFake(1, 256)
	m, err := Sync(ctx, f, 1, WithFull())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Refresh(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}
