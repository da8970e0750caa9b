// Hands a Blob to the browser as a download (a saved flash image, a console log).

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by the time the click returns; the URL can go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
