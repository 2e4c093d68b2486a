package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// writeChart plots each miner's incentive per epoch, best quality first in
// the legend.
func writeChart(path string, res *result) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Incentive per miner, subnet %d (localnet)", res.NetUID)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "incentive"
	top := 0.0
	for _, rows := range res.Epochs {
		for _, r := range rows {
			top = max(top, r.Incentive)
		}
	}
	p.Y.Min, p.Y.Max = 0, max(0.1, top*1.35) // headroom for the legend
	p.Legend.Top = true
	p.Legend.Left = true
	ms := slices.Clone(res.Miners)
	slices.SortFunc(ms, func(a, b minerInfo) int { return -cmpFloat(a.Quality, b.Quality) })
	var lines []any
	for _, m := range ms {
		pts := make(plotter.XYs, len(res.Epochs))
		for e, rows := range res.Epochs {
			pts[e].X = float64(e + 1)
			pts[e].Y = rows[m.UID].Incentive
		}
		lines = append(lines, fmt.Sprintf("uid %d (quality %.2f)", m.UID, m.Quality), pts)
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}
