// A map tile server on loopback, over HTTPS as Kohero requires of tiles:
// answers /Z/X/Y.png with a 256×256 PNG and appends each path it served to
// DIR/seen.txt (the test reads which tiles a page asked for).
//   node tiles.mjs PORT DIR     (DIR holds key.pem and cert.pem)
import { createServer } from 'node:https';
import { appendFileSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const [, , port, dir] = process.argv;

// A PNG (RFC 2083): signature, IHDR, one IDAT of grey rows, IEND.
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const size = 256;
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
ihdr[8] = 8; ihdr[9] = 0; // 8-bit greyscale
const rows = Buffer.alloc((size + 1) * size, 0xdd);
for (let y = 0; y < size; y++) rows[y * (size + 1)] = 0; // filter: none
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
]);

const server = createServer({
  key: readFileSync(`${dir}/key.pem`),
  cert: readFileSync(`${dir}/cert.pem`),
}, (req, res) => {
  if (!/^\/\d+\/\d+\/\d+\.png$/.test(req.url)) {
    res.writeHead(404).end();
    return;
  }
  appendFileSync(`${dir}/seen.txt`, req.url + '\n');
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
  res.end(png);
});
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
