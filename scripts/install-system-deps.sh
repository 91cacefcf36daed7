#!/usr/bin/env bash
# Install the Debian packages the pipeline needs when they are missing:
# Tesseract with Vietnamese and orientation data (OCR of scans), the Liberation
# fonts the tests render Vietnamese pages with and the searchable PDF embeds,
# poppler-utils (its tests read the PDF back with pdftotext), and Chromium, which the review app's
# browser tests drive headless (Playwright uses it; it never downloads its
# own browsers), and LibreOffice Writer without its GUI, which converts
# Word 97-2003 .doc, .odt and .rtf inputs to .docx. As root it installs them; otherwise it prints the exact
# command and fails.
set -euo pipefail

packages=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd fonts-liberation2 chromium poppler-utils libreoffice-writer-nogui)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${missing[*]} and this is not a Debian-like system: install Tesseract 5 with Vietnamese data yourself" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
