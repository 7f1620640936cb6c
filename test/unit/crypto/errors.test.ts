import { describe, expect, it } from 'vitest';
import {
  Asn1DecodeError,
  CertificateParseError,
  InvalidCsrInputError,
  MissingAuthorityKeyIdentifierError,
  PemFormatError,
  PrivateKeyParseError,
  UnsupportedKeyTypeError,
} from '../../../shared/crypto/index.js';

describe('crypto errors', () => {
  it.each([
    [PemFormatError, 'PemFormatError'],
    [Asn1DecodeError, 'Asn1DecodeError'],
    [PrivateKeyParseError, 'PrivateKeyParseError'],
    [UnsupportedKeyTypeError, 'UnsupportedKeyTypeError'],
    [CertificateParseError, 'CertificateParseError'],
    [MissingAuthorityKeyIdentifierError, 'MissingAuthorityKeyIdentifierError'],
    [InvalidCsrInputError, 'InvalidCsrInputError'],
  ])('%o has the literal name %s, keeps its cause and is an Error', (ErrorClass, name) => {
    const cause = new Error('low level');
    const error = new ErrorClass('message', { cause });
    expect(error.name).toBe(name);
    expect(error.message).toBe('message');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(new ErrorClass('no cause')).not.toHaveProperty('cause');
  });

  it('keeps the name when a bundler renames the class', () => {
    const Renamed = { X: class extends CertificateParseError {} }.X;
    expect(new Renamed('m').name).toBe('CertificateParseError');
  });

  it('UnsupportedKeyTypeError carries a key description', () => {
    expect(new UnsupportedKeyTypeError('m', { keyDescription: 'ed25519' }).keyDescription).toBe('ed25519');
    expect(new UnsupportedKeyTypeError('m').keyDescription).toBe('unknown');
  });
});
