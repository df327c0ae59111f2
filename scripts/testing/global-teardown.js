module.exports = require('./shared-servers').teardown;
