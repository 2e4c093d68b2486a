package subtensor_test

import (
	"errors"
	"fmt"

	"github.com/gotensor/gotensor/subtensor"
)

func ExampleFromTAO() {
	b, _ := subtensor.FromTAO(1.001) // int(1.001 * 1e9), as the Python SDK
	fmt.Println(b.Rao())
	fmt.Println(subtensor.TAO(1234))
	// Output:
	// 1000999999
	// τ1,234.000000000
}

func ExampleConvertWeightsAndUIDsForEmit() {
	uids, vals, err := subtensor.ConvertWeightsAndUIDsForEmit([]int64{0, 1, 2, 3}, []float32{0.5, 0.25, 0, 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(uids, vals)
	// Output: [0 1 3] [32768 16384 65535]
}

func ExampleCommitHash() {
	hotkey := subtensor.MustParseAccountID("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
	uids, vals := []subtensor.UID{0, 1}, []uint16{65535, 1000}
	salt := []uint16{1, 2, 3, 4, 5, 6, 7, 8}
	h := subtensor.CommitHash(hotkey, 1, 0, uids, vals, salt, 0)
	fmt.Println(len(h.String()))
	// Output: 66
}

func ExampleModuleError() {
	var err error = subtensor.SubtensorError("SettingWeightsTooFast") // as a backend returns it
	if errors.Is(err, subtensor.ErrSettingWeightsTooFast) {
		fmt.Println("wait for weights_rate_limit blocks")
	}
	var me *subtensor.ModuleError
	if errors.As(err, &me) {
		fmt.Println(me.Pallet, me.Name)
	}
	// Output:
	// wait for weights_rate_limit blocks
	// SubtensorModule SettingWeightsTooFast
}

func ExampleAxonInfo_Address() {
	p, _ := subtensor.ServeAxonParamsFor(1, "[2001:db8::7]:8091", 1)
	a := subtensor.AxonInfo{IP: p.IP, Port: p.Port, IPType: p.IPType}
	fmt.Println(a.Address(), a.IPString())
	// Output: [2001:db8::7]:8091 /ipv6/2001:db8::7:8091
}
