package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMigrateKeepsTillersDataAndWritesByDefault(t *testing.T) {
	o, err := parseMigrateFlags([]string{"-tiller-namespace", "appstore", "hello-a", "solo"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.dryRun || o.deleteTiller || o.output != "text" || o.tillerNamespace != "appstore" || strings.Join(o.releases, ",") != "hello-a,solo" {
		t.Errorf("options = %+v", o)
	}
}

func TestMigrateRefusesBadFlagsWithStatus2(t *testing.T) {
	for _, args := range [][]string{{"-output", "yaml"}, {"-tiller-namespace", ""}, {"-no-such-flag"}} {
		var stderr bytes.Buffer
		if code := runMigrate(args, &bytes.Buffer{}, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: status %d, stderr %q", args, code, stderr.String())
		}
	}
}

func TestMigrateHelpDescribesTheCommand(t *testing.T) {
	var stderr bytes.Buffer
	if code := runMigrate([]string{"-h"}, &bytes.Buffer{}, &stderr); code != 0 || !strings.Contains(stderr.String(), "usage: appstore-engine migrate") ||
		!strings.Contains(stderr.String(), "-delete-tiller-releases") {
		t.Errorf("status %d, help %q", code, stderr.String())
	}
}
