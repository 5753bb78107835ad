const { src, dest, parallel } = require('gulp');

// `encoding: false` keeps binary files intact (gulp 5 otherwise re-encodes them as text).
function copyIcons() {
	return src('icons/*.svg', { encoding: false }).pipe(dest('dist/icons'));
}

function copyNodeAssets() {
	return src('nodes/**/*.{png,svg,json}', { encoding: false }).pipe(dest('dist/nodes'));
}

function copyCredentialAssets() {
	return src('credentials/**/*.{png,svg}', { encoding: false, allowEmpty: true }).pipe(dest('dist/credentials'));
}

exports['build:icons'] = parallel(copyIcons, copyNodeAssets, copyCredentialAssets);
