package main

// Run with the flags ensure-pulumi builds with, so that Go's build cache serves the engine's compiled
// packages:  cd scripts/gen-sdk && CGO_ENABLED=0 go test -trimpath -tags osusergo,grpcnotrace .

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSchema = "testdata/schema.json"

// tree reads every file under dir, keyed by its slash path relative to dir.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func genAll(t *testing.T, root string, stderr io.Writer) error {
	t.Helper()
	return run([]string{"--schema", testSchema,
		"--language", "python", "--out", filepath.Join(root, "python"),
		"--language", "go", "--out", filepath.Join(root, "go"),
		"--language", "nodejs", "--out", filepath.Join(root, "nodejs"),
	}, stderr)
}

func TestSameSchemaGivesByteIdenticalSDKs(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	if err := genAll(t, first, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := genAll(t, second, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, b := tree(t, first), tree(t, second)
	for _, want := range []string{
		"python/pulumi_everflow/postback.py", "python/pyproject.toml",
		"go/everflow/postback.go", "go/everflow/config/config.go",
		"nodejs/postback.ts", "nodejs/package.json",
	} {
		if _, ok := a[want]; !ok {
			t.Errorf("no %s among the %d files generated", want, len(a))
		}
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func TestSDKsCarryTheSchemaVersionAndSecrets(t *testing.T) {
	root := t.TempDir()
	if err := genAll(t, root, io.Discard); err != nil {
		t.Fatal(err)
	}
	files := tree(t, root)
	checks := []struct{ file, want string }{
		{"python/pyproject.toml", `version = "0.1.0"`},
		{"go/everflow/pulumi-plugin.json", `"version": "0.1.0"`},
		{"nodejs/package.json", `"version": "0.1.0"`},
		// facebookPixel is secret in state whatever the program passed in.
		{"python/pulumi_everflow/postback.py", `additional_secret_outputs=["facebookPixel"]`},
		{"go/everflow/postback.go", `"facebookPixel",`},
		{"python/pulumi_everflow/provider.py", `pulumi.Output.secret(api_key)`},
	}
	for _, c := range checks {
		if !strings.Contains(string(files[c.file]), c.want) {
			t.Errorf("%s does not contain %s", c.file, c.want)
		}
	}
}

func TestRegenerationRemovesFilesOfAnOlderSchema(t *testing.T) {
	root := t.TempDir()
	stale := filepath.Join(root, "python", "pulumi_everflow", "removed_resource.py")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("# from an older schema\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := genAll(t, root, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s survived regeneration (stat: %v)", stale, err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".gen-sdk-") {
			t.Errorf("temporary %s left behind", e.Name())
		}
	}
}

func TestAReferenceToAnotherPackageIsRefusedAndWritesNothing(t *testing.T) {
	data, err := os.ReadFile(testSchema)
	if err != nil {
		t.Fatal(err)
	}
	withDependency := strings.Replace(string(data), `"#/types/everflow:index:FacebookPixel"`,
		`"/aws/v6.0.0/schema.json#/types/aws:index:Tags"`, 1)
	schemaPath := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(schemaPath, []byte(withDependency), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var stderr bytes.Buffer
	err = run([]string{"--schema", schemaPath, "--language", "go", "--out", filepath.Join(root, "go")}, &stderr)
	if err == nil {
		t.Fatal("a schema referring to package aws generated an SDK")
	}
	if !strings.Contains(err.Error(), `refers to package "aws"`) {
		t.Errorf("the error does not name the package: %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("wrote %d entries although generation failed", len(entries))
	}
}

func TestOutputDirectoriesThatHoldMoreThanAnSDKAreRefused(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(root, "README.md")
	if err := os.WriteFile(readme, []byte("# not an SDK\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	schemaAbs, err := filepath.Abs(testSchema)
	if err != nil {
		t.Fatal(err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args []string
		want string
	}{
		"the working directory": {[]string{"--schema", testSchema, "--language", "go", "--out", "."},
			"holds the working directory"},
		"a parent of it": {[]string{"--schema", testSchema, "--language", "go", "--out", ".."},
			"holds the working directory"},
		"the schema's folder": {[]string{"--schema", schemaAbs, "--language", "go", "--out", filepath.Dir(schemaAbs)},
			"holds the schema"},
		"a repository root": {[]string{"--schema", testSchema, "--language", "go", "--out", repo},
			"holds a .git entry"},
		"overlapping outs": {[]string{"--schema", testSchema, "--language", "go", "--out", filepath.Join(root, "sdk"),
			"--language", "python", "--out", filepath.Join(root, "sdk", "python")}, "overlap"},
		"a file": {[]string{"--schema", testSchema, "--language", "go", "--out", readme}, "is not a directory"},
		"an --out without a language": {[]string{"--schema", testSchema, "--out", filepath.Join(root, "x")},
			"must follow its own --language"},
	}
	for name, c := range cases {
		err := run(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error saying %q", name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, ".git")); err != nil {
		t.Errorf("the repository root was touched: %v", err)
	}
	if _, err := os.Stat(readme); err != nil {
		t.Errorf("the file given as --out was touched: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cwd, "main.go")); err != nil {
		t.Errorf("the working directory was touched: %v", err)
	}
}

func TestAFileNamedOutsideTheOutputDirectoryIsNotWritten(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "sdk", "go")
	err := replaceDir(out, map[string][]byte{"ok.go": []byte("package ok\n"), "../../escaped.txt": []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "outside the output directory") {
		t.Fatalf("got %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(root, "escaped.txt")); !os.IsNotExist(err) {
		t.Errorf("escaped.txt was written (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Dir(out)); !os.IsNotExist(err) {
		t.Errorf("%s was created for a refused write (stat: %v)", filepath.Dir(out), err)
	}
}
