// whoami prints who it runs as (real and effective uid, gid, supplementary
// groups), for the test that gotl record under sudo runs the program as the
// user who ran sudo.
package main

import (
	"os"
	"sort"

	"gotl/samples/internal/truth"
)

func main() {
	groups, _ := os.Getgroups()
	if groups == nil {
		groups = []int{}
	}
	sort.Ints(groups)
	truth.Print(map[string]interface{}{
		"sample":    "whoami",
		"main_goid": truth.Goid(),
		"uid":       os.Getuid(),
		"euid":      os.Geteuid(),
		"gid":       os.Getgid(),
		"groups":    groups,
	})
}
