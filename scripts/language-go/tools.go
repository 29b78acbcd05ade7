//go:build tools

// Package languagego exists only so that this wrapper module can pin the Go language host's
// dependencies; scripts/ensure-pulumi --with-go builds
// github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go from it.
package languagego

import _ "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go"
