#!/usr/bin/env bash
# n8n's own linter for community nodes (`n8n-node lint`, from @n8n/node-cli), run on what the package ships.
# `n8n-node lint` lints the whole folder it runs in, and with "strict": true in package.json it requires the default
# eslint.config.mjs of its template. This repository keeps tests and scripts (which use node:fs, process, …, as tests
# must) beside the node, and its own eslint.config.mjs (`npm run lint`). So the node's sources and package.json are
# copied into .tmp/n8n-node-lint with the template's config, and `n8n-node lint` runs there, unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=.tmp/n8n-node-lint
rm -rf "$stage"
mkdir -p "$stage"
cp -r package.json tsconfig.json nodes credentials icons "$stage"/
cp node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs "$stage"/
ln -s ../../node_modules "$stage"/node_modules
cd "$stage"
../../node_modules/.bin/n8n-node lint
