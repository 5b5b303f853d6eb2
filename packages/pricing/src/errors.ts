/** A price file (TOKENLEDGER_PRICES_FILE) that cannot be used; the message names the file, the entry and the key. */
export class PriceFileError extends Error {
  readonly file: string;
  constructor(file: string, detail: string) {
    super(`price file ${file}: ${detail}`);
    this.name = 'PriceFileError';
    this.file = file;
  }
}
