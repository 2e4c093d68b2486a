package localnet_test

import (
	"testing"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/chaintest"
	"github.com/gotensor/gotensor/subtensor/localnet"
)

// TestConformance runs the backend-neutral suite on localnet.
func TestConformance(t *testing.T) {
	chaintest.Run(t, func(t *testing.T) st.Chain { return localnet.New() })
}
