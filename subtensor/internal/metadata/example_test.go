package metadata_test

import (
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
)

func loadExampleMetadata() *metadata.Metadata {
	raw, err := os.ReadFile("testdata/spec343_Metadata_metadata_at_version_15.hex")
	if err != nil {
		panic(err)
	}
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x"))
	if err != nil {
		panic(err)
	}
	// The Option<OpaqueMetadata> returned by Metadata_metadata_at_version.
	md, err := metadata.Decode(b)
	if err != nil {
		panic(err)
	}
	return md
}

func ExampleMetadata_EncodeCall() {
	md := loadExampleMetadata()
	call, err := md.EncodeCall("SubtensorModule", "set_weights",
		uint16(1), []uint16{0, 5}, []uint16{65535, 100}, uint64(0))
	fmt.Println(hex.EncodeToString(call), err)
	// Output: 07000100080000050008ffff64000000000000000000 <nil>
}

func ExampleMetadata_StorageKey() {
	md := loadExampleMetadata()
	key, err := md.StorageKey("SubtensorModule", "LastUpdate", uint16(1))
	fmt.Println(hex.EncodeToString(key), err)
	// Output: 658faa385070e074c85bf6b568cf0555696e262a16e52255a69d8acd793541460100 <nil>
}

func ExampleMetadata_DecodeInto() {
	md := loadExampleMetadata()
	method, _ := md.RuntimeAPIMethod("SubnetRegistrationRuntimeApi", "get_network_registration_cost")
	var rao uint64
	err := md.DecodeInto(method.Output, []byte{0x40, 0xd4, 0x8b, 0x58, 0, 0, 0, 0}, &rao)
	fmt.Println(method.StateCallName(), rao, err)
	// Output: SubnetRegistrationRuntimeApi_get_network_registration_cost 1485558848 <nil>
}

func ExampleMetadata_ModuleError() {
	md := loadExampleMetadata()
	// DispatchError::Module{index: 7, error: [10, 0, 0, 0]} at spec 343.
	err, _ := md.ModuleError(7, [4]byte{10, 0, 0, 0})
	fmt.Println(err.Pallet, err.Name)
	// Output: SubtensorModule NotEnoughStakeToSetWeights
}
