// "Share": a QR code of the app's own address, so another device (a class's phones) opens the
// same app — drawn here by qrcode-generator, nothing fetched.

import qrcode from './vendor/qrcode.js';

const LOCAL = /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/;

/** Draws the QR code of `address` on `canvas`, a dark module per 8 pixels, with its quiet zone. */
function drawQr(canvas, address) {
  const qr = qrcode(0, 'M');
  qr.addData(address);
  qr.make();
  const modules = qr.getModuleCount();
  const scale = 8;
  const size = (modules + 8) * scale;
  Object.assign(canvas, { width: size, height: size });
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, size, size);
  context.fillStyle = '#000';
  for (let row = 0; row < modules; row++) {
    for (let col = 0; col < modules; col++) {
      if (qr.isDark(row, col)) context.fillRect((col + 4) * scale, (row + 4) * scale, scale, scale);
    }
  }
}

/** Wires the Share button to its dialog. */
export function wireShare({ button, dialog, canvas, link, hint, close }) {
  button.addEventListener('click', () => {
    const address = location.href.split('#')[0];
    drawQr(canvas, address);
    Object.assign(link, { href: address, textContent: address });
    hint.hidden = !LOCAL.test(location.host);
    hint.textContent = 'This address only works on this device: serve the folder on your network (or a static host) and open it by that address, then share.';
    dialog.showModal();
  });
  close.addEventListener('click', () => dialog.close());
}
