module.exports = require('./shared-servers').setup;
