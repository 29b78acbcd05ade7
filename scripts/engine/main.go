// Package engine exists only so that this wrapper module can pin the Pulumi CLI's dependencies;
// scripts/ensure-pulumi builds github.com/pulumi/pulumi/pkg/v3/cmd/pulumi from it.
package engine
