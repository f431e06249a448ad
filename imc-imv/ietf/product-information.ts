/**
 * IETF Product Information (type 2), RFC 5792 section 4.2.2.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Product Vendor ID               |  Product ID   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Product ID   |         Product Name (Variable Length)        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Product Vendor ID is an SMI Private Enterprise Number (Debian's is 9586); Product ID is that
 * vendor's; Product Name is UTF-8 without a NUL terminator (a NUL is refused).
 */
import { PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export interface ProductInformation {
  readonly productVendorId: number;
  readonly productId: number;
  readonly productName: string;
}

export const productInformation = defineAttribute({
  vendorId: Pen.IETF,
  type: 2,
  name: 'product-information',
  title: 'Product Information',
  encode(v: ProductInformation): Uint8Array {
    return new FieldWriter(5 + v.productName.length * 3)
      .u24(v.productVendorId, 'Product Vendor ID')
      .u16(v.productId, 'Product ID')
      .utf8(v.productName, 'Product Name', { noNul: true })
      .finish();
  },
  decode(value: Uint8Array): ProductInformation {
    const r = new FieldReader(value);
    const productVendorId = r.u24('Product Vendor ID');
    const productId = r.u16('Product ID');
    // A product without vendor (vendor 0) has no vendor-specific Product ID: strongSwan rejects a
    // non-zero Product ID there at offset 3 (ietf_attr_product_info.c, RFC 5792 s4.2.2).
    if (productVendorId === 0 && productId !== 0) {
      throw new PaTncError('PA_TNC_FIELD_INVALID', 3, `Product ID ${productId} with Product Vendor ID 0`);
    }
    return { productVendorId, productId, productName: r.utf8Rest('Product Name', { noNul: true }) };
  },
});
