export { searchCustomers } from './searchCustomers';
